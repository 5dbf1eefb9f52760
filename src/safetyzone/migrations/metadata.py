"""Every table's metadata, gathered for Alembic: importing the models registers them."""

from safetyzone.assets import models as _assets  # noqa: F401
from safetyzone.audit import models as _audit  # noqa: F401
from safetyzone.citizen import line_models as _line  # noqa: F401
from safetyzone.citizen import models as _citizen  # noqa: F401
from safetyzone.citizen import staff_line as _staff_line  # noqa: F401
from safetyzone.core.db import Base
from safetyzone.intake import models as _intake  # noqa: F401
from safetyzone.lpr import models as _lpr  # noqa: F401
from safetyzone.measure import models as _measure  # noqa: F401
from safetyzone.measure import rollout_models as _rollout  # noqa: F401
from safetyzone.measure import zoneselect_models as _zoneselect  # noqa: F401
from safetyzone.measure.monthly import models as _monthly  # noqa: F401
from safetyzone.ops import announcements as _announcements  # noqa: F401
from safetyzone.ops import commands as _commands  # noqa: F401
from safetyzone.ops import models as _ops  # noqa: F401
from safetyzone.ops import shiftlog_models as _shiftlog  # noqa: F401
from safetyzone.ops import workorder_models as _workorders  # noqa: F401
from safetyzone.org import layouts as _layouts  # noqa: F401
from safetyzone.org import models as _org  # noqa: F401
from safetyzone.patrol import models as _patrol  # noqa: F401
from safetyzone.patrol import plan_models as _patrol_plans  # noqa: F401
from safetyzone.patrol import redbox_models as _redbox  # noqa: F401
from safetyzone.patrol import track_models as _patrol_tracks  # noqa: F401
from safetyzone.poll import models as _poll  # noqa: F401
from safetyzone.services import consult_models as _consult  # noqa: F401
from safetyzone.services import homewatch_models as _homewatch  # noqa: F401
from safetyzone.services import lostdocs_models as _lostdocs  # noqa: F401
from safetyzone.services import posts_models as _posts  # noqa: F401
from safetyzone.video import coverage_models as _coverage  # noqa: F401
from safetyzone.video import footage_models as _footage  # noqa: F401
from safetyzone.video import models as _video  # noqa: F401
from safetyzone.video.evidence import models as _evidence  # noqa: F401
from safetyzone.video.recording import models as _recording  # noqa: F401

metadata = Base.metadata
