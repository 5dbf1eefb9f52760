"""What people sent and said in the synthetic past: citizen reports handled to their close,
and a People Poll wave per zone.

Reports are made by ``citizen.records.new_item`` (the same code, key hash, consent row,
routing to the zone and state history as a report from the public app) and moved on by
``citizen.records.set_state``, at past times; what the public service adds on top (a feed
entry per step for the live queue, a notice to the citizen) is for people waiting now and
is left out. Each description ends "(ข้อมูลสาธิต) (demo data)".

The poll goes through ``poll.service`` (create, open, close: audited) and every answer
through ``poll.answers.submit``, so each synthetic respondent holds one ballot and the
answers stay apart from it exactly as a real wave's.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.citizen import records
from safetyzone.citizen.schemas import ConsentIn, LocationIn
from safetyzone.citizen.taxonomy import (
    CONSENT_VERSION,
    Channel,
    ItemKind,
    ItemState,
    LocationSource,
    Purpose,
)
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Scope
from safetyzone.demo.history_common import (
    MARK,
    MARK_EN,
    MARK_TH,
    At,
    Site,
    bangkok_days,
    local,
    lognormal,
    poisson,
    weighted,
)
from safetyzone.poll import answers as poll_answers
from safetyzone.poll import items as bank
from safetyzone.poll import service as polls
from safetyzone.poll.models import Poll
from safetyzone.poll.schemas import PollCreate, ResponseIn

# category -> (Thai, English, weight, how it usually ends)
REPORTS: dict[str, tuple[str, str, float, tuple[str, ...]]] = {
    "street_light": ("ไฟส่องสว่างดับ", "a street light is out", 4,
                     ("maintenance_done", "referred")),
    "abandoned_plot": ("ที่รกร้างรกทึบ ไม่มีคนดูแล", "an overgrown abandoned plot", 1.5,
                       ("referred",)),
    "youths_gathering": ("วัยรุ่นมั่วสุมตอนกลางคืน", "youths gathering at night", 2.5,
                         ("patrol_increased", "resolved")),
    "theft": ("ของหายหน้าบ้าน สงสัยถูกขโมย", "something taken from outside a house", 2,
              ("resolved", "no_trace")),
    "drugs": ("สงสัยมีการเสพยาเสพติด", "suspected drug use", 1.5,
              ("patrol_increased", "no_trace")),
    "traffic": ("จอดรถกีดขวางทางเข้าออก", "cars parked across a driveway", 2,
                ("resolved",)),
    "suspicious_person": ("บุคคลต้องสงสัยเดินดูบ้าน", "someone looking into houses", 1.5,
                          ("patrol_increased", "no_trace")),
}
# Reports are closed this long before the seeding at the latest. One that would still be
# open is not made: an old synthetic report waiting in the live queue would be taken for
# one of the simulator's (which keep coming) or a real one.
SETTLED = timedelta(minutes=30)


def seed_reports(session: Session, site: Site, box: SecretBox) -> int:
    """Citizens' reports from the zone over the period, acknowledged and closed after the
    station's usual time; how many."""
    rng = site.rng("reports")
    weights = {k: v[2] for k, v in REPORTS.items()}
    consent_in = ConsentIn(purposes=[Purpose.REPORT], version=CONSENT_VERSION)
    made = 0
    for day in bangkok_days(site.since, site.until):
        for _ in range(poisson(rng, site.profile.reports_per_day)):
            created = local(day, rng.randrange(7, 23), rng.randrange(60), rng.randrange(60))
            if created < site.since:
                continue
            category = weighted(rng, weights)
            th, en, _, endings = REPORTS[category]
            lat, lon, _ = site.place(rng)
            hours = max(0.5, lognormal(rng, site.profile.report_median_h, 0.7))
            acked = created + timedelta(hours=min(hours * 0.3, lognormal(rng, 1.5, 0.8)))
            closed = created + timedelta(hours=hours)
            if closed >= site.until - SETTLED:
                continue  # it would still be open: the past is closed
            item = records.new_item(
                session, kind=ItemKind.REPORT, channel=Channel.WEB,
                key_hash=records.digest(f"{rng.getrandbits(256):064x}"),
                location=LocationIn(lat=lat, lon=lon, accuracy_m=rng.randrange(5, 30)),
                source=LocationSource.GPS, category=category,
                description=f"{th} / {en} {MARK}",
                consent=records.check_consent(ItemKind.REPORT, consent_in, created),
                now=created, line_user=None, box=box)
            records.set_state(item, ItemState.ACKNOWLEDGED, acked)
            item.disposition = rng.choice(endings)
            records.set_state(item, ItemState.CLOSED, closed)
            made += 1
    session.flush()
    return made


# --- the People Poll ---------------------------------------------------------------------

WAVE_NAME = f"รอบสาธิต {MARK_TH} / demo wave {MARK_EN}"
NEEDS = {"lighting": 4, "patrols": 4, "cctv": 3, "vacant_lots": 1.5, "drugs": 2, "other": 0.5}


def _likert(rng: random.Random, share: float, low: bool) -> int:
    """An answer 1-5 whose 1-2 (``low``) or 4-5 share is about ``share``."""
    if rng.random() < share:
        return rng.choice((1, 2, 2)) if low else rng.choice((4, 4, 5))
    rest = (3, 3, 4, 4, 5) if low else (1, 2, 2, 3, 3)
    return rng.choice(rest)


def seed_poll(session: Session, scope: Scope, site: Site, *, ballot_key: bytes) -> int:
    """One closed wave for the zone, answered over its weeks; how many answers. A zone that
    already has a wave is left alone: a real wave is never shadowed by a synthetic one."""
    if session.scalar(select(Poll.id).where(Poll.zone_id == site.zone_id).limit(1)):
        return 0
    rng = site.rng("poll")
    span = site.until - site.since
    opens = site.until - span * 0.6
    closes = site.until - span * 0.1
    poll = polls.create_poll(session, scope=scope, clock=At(opens - timedelta(days=2)),
                             station_code=site.station_code, data=PollCreate(
                                 zone_code=site.zone_code, wave=1, wave_name=WAVE_NAME,
                                 opens_at=opens, closes_at=closes, custom_items=[]))
    polls.open_poll(session, scope=scope, clock=At(opens - timedelta(days=1)),
                    code=poll.code)
    profile = site.profile
    n = max(1, round(profile.answers * rng.uniform(0.9, 1.1)))
    for i in range(n):
        at = opens + (closes - opens) * ((i + rng.random()) / n)
        chosen = sorted({weighted(rng, NEEDS) for _ in range(rng.randrange(1, 4))})
        answers: dict[str, int | list[str]] = {
            "safe_dark": _likert(rng, profile.fear, low=True),
            "worry_burglary": _likert(rng, profile.worry, low=False),
            "confidence_police": _likert(rng, profile.confidence, low=False),
            "needs": chosen}
        if rng.random() < 0.05:  # a few skip an item, as people do
            answers.pop(rng.choice(bank.STANDARD_KEYS))
        poll_answers.submit(session, clock=At(at), key=ballot_key, code=poll.code,
                            token=f"{rng.getrandbits(256):064x}",
                            data=ResponseIn(answers=answers))
    polls.close_poll(session, scope=scope, clock=At(closes), code=poll.code)
    session.flush()
    return n
