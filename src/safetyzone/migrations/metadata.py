"""Every table's metadata, gathered for Alembic: importing the models registers them."""

from safetyzone.assets import models as _assets  # noqa: F401
from safetyzone.audit import models as _audit  # noqa: F401
from safetyzone.citizen import line_models as _line  # noqa: F401
from safetyzone.citizen import models as _citizen  # noqa: F401
from safetyzone.core.db import Base
from safetyzone.intake import models as _intake  # noqa: F401
from safetyzone.lpr import models as _lpr  # noqa: F401
from safetyzone.ops import commands as _commands  # noqa: F401
from safetyzone.ops import models as _ops  # noqa: F401
from safetyzone.org import models as _org  # noqa: F401
from safetyzone.video import models as _video  # noqa: F401

metadata = Base.metadata
