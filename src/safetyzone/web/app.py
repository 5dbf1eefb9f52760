"""The app factory: every collaborator is passed in, nothing is read from the environment."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial

from fastapi import Depends, FastAPI
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from safetyzone import __version__, migrations
from safetyzone.bus.memory import MemoryBus
from safetyzone.bus.nats import NatsBus
from safetyzone.citizen.line_bridge import ServicePort
from safetyzone.citizen.retention import RetentionPolicy
from safetyzone.citizen.staff_line import EscalationAlerts
from safetyzone.config import Settings
from safetyzone.core import redact
from safetyzone.core.clock import Clock, SystemClock
from safetyzone.core.db import Database
from safetyzone.core.outbound import OutboundPolicy
from safetyzone.gateways.line import LineGateway
from safetyzone.intake.credentials import SecretHasher
from safetyzone.measure.monthly.archive import Archive as MonthlyArchive
from safetyzone.ops import announcements as ops_announcements
from safetyzone.ops import calls as ops_calls
from safetyzone.patrol import retention as patrol_retention
from safetyzone.services import consult_sweep, homewatch_sweep
from safetyzone.services import lostdocs as lostdocs_service
from safetyzone.services.consult_sweep import ServicesPolicy
from safetyzone.video import footage as video_footage
from safetyzone.video.evidence.desk import EvidenceDesk
from safetyzone.video.evidence.signing import EvidenceSigner
from safetyzone.video.live import LiveDesk
from safetyzone.video.prober import CameraProber
from safetyzone.video.ptz.client import OnvifPtzClient
from safetyzone.video.ptz.desk import PtzDesk
from safetyzone.video.recording.recorder import Recorder
from safetyzone.video.snapshots import SnapshotDesk
from safetyzone.web import apidocs, contract, health, problems, pwa
from safetyzone.web.citizen_app import pages as citizen_pages
from safetyzone.web.console import assets as console_assets
from safetyzone.web.console import pages
from safetyzone.web.context import AppContext
from safetyzone.web.middleware import BodyLimit, LoginGate, Metrics
from safetyzone.web.officer_app import pages as officer_pages
from safetyzone.web.partner_app import pages as partner_pages
from safetyzone.web.routes import (
    announcements,
    assets,
    audit,
    auth,
    basemap,
    board,
    calls,
    camera_health,
    camera_urls,
    citizen,
    citizen_public,
    commands,
    consult,
    coverage,
    devices,
    evidence,
    footage,
    gateways,
    history,
    homewatch,
    hotspots,
    intake,
    kpis,
    line,
    live,
    lostdocs,
    lpr,
    measure,
    officer,
    open311,
    ops,
    org,
    panel,
    patrol,
    poll,
    posts,
    program,
    ptz,
    recordings,
    redbox,
    reports,
    shiftlog,
    stream,
    tracks,
    transfer,
    video,
    workorders,
    zoneselect,
)
from safetyzone.web.runtime import Runtime
from safetyzone.web.security_headers import SecurityHeaders

log = logging.getLogger(__name__)
JSON_BODY_LIMIT = 1024 * 1024
GZIP_MIN_BYTES = 512
# Every router the app serves; the scope test walks exactly this tuple.
ROUTERS = (health.router, auth.router, org.router, assets.router, audit.router, transfer.router,
           devices.router, gateways.router, intake.router,
           measure.router,
           history.router,  # before ops: /incidents/search is not /incidents/{incident_id}
           ops.router, stream.router, video.router, live.router, camera_health.router,
           commands.router, panel.router, lpr.router, camera_urls.router, citizen.router,
           citizen_public.router, open311.router, line.router, officer.router, redbox.router,
           tracks.router, patrol.router, pages.router, citizen_pages.router, apidocs.router,
           officer_pages.router, lostdocs.router,
           homewatch.router, consult.router, posts.router, calls.router, board.router,
           announcements.router, shiftlog.router, basemap.router, workorders.router,
           partner_pages.router, poll.router, hotspots.router, program.router,
           zoneselect.router, kpis.router, reports.router, coverage.router, ptz.router,
           footage.router, recordings.router, evidence.router)


def create_app(settings: Settings, db: Database, clock: Clock | None = None) -> FastAPI:
    """Build the HTTP app around an already-open database.

    Startup refuses an unmigrated or newer-than-code database, so a half-deployed station
    fails loudly instead of serving errors.
    """
    redact.install()  # no token reaches a log line, whoever configures the logging
    ctx = AppContext.build(settings, db, clock or SystemClock())
    runtime = Runtime(db=db, clock=ctx.clock,
                      hasher=SecretHasher(settings.secret_key.get_secret_value()),
                      secrets=ctx.secrets,
                      bus=NatsBus(settings.nats_url) if settings.nats_url else MemoryBus(),
                      sia=settings.sia_dc09, mqtt=settings.mqtt,
                      osmand_port=settings.osmand_port,
                      nmea_port=settings.nmea_port, data_dir=settings.data_dir,
                      host=settings.host, citizen_media=ctx.media,
                      patrol_missed_visit_min=settings.patrol_missed_visit_min,
                      citizen_retention=RetentionPolicy(
                          emergency_days=settings.citizen_retain_emergency_days,
                          report_days=settings.citizen_retain_report_days,
                          tip_days=settings.citizen_retain_tip_days,
                          media_days=settings.citizen_retain_media_days,
                          trail_days=settings.citizen_retain_trail_days),
                      patrol_presence_res=settings.patrol_presence_h3_res,
                      patrol_retain_track_days=settings.patrol_retain_track_days,
                      sweeps=_sweeps(settings, ctx))
    snapshots = SnapshotDesk(db=db, clock=ctx.clock, secrets=ctx.secrets,
                             policy=OutboundPolicy(settings.camera_networks),
                             write_health=not settings.camera_probe_interval_s)
    prober = (CameraProber(db=db, clock=ctx.clock, secrets_box=ctx.secrets,
                           policy=OutboundPolicy(settings.camera_networks),
                           work_dir=settings.data_dir / "probe",
                           interval_s=settings.camera_probe_interval_s,
                           max_processes=settings.camera_probe_max_processes,
                           timeout_s=settings.camera_probe_timeout_s,
                           alert_after_s=settings.camera_down_alert_after_s,
                           sim_faults=settings.camera_sim_faults)
              if settings.camera_probe_interval_s else None)
    live_desk = LiveDesk(db=db, clock=ctx.clock, secrets_box=ctx.secrets,
                    policy=OutboundPolicy(settings.camera_networks),
                    root=settings.data_dir / "live", max_viewers=settings.live_max_viewers)
    recorder = (Recorder(db=db, secrets_box=ctx.secrets,
                         policy=OutboundPolicy(settings.camera_networks),
                         root=settings.data_dir / "recordings",
                         work_dir=settings.data_dir / "recordings" / ".work",
                         segment_s=settings.recording_segment_s)
                if settings.recording_enabled else None)
    evidence_desk = EvidenceDesk(db=db, clock=ctx.clock, root=settings.data_dir / "evidence",
                                 recordings=settings.data_dir / "recordings",
                                 signer=EvidenceSigner(settings.secret_key.get_secret_value()))
    line_gateway = LineGateway(
        db=db, clock=ctx.clock, box=ctx.secrets,
        server_key=settings.secret_key.get_secret_value(), routing=settings.line_routing,
        api_base=settings.line_api_base, data_api_base=settings.line_data_api_base,
        link_base=settings.line_link_base, port=ServicePort(box=ctx.secrets, media=ctx.media),
        photo_max_bytes=settings.citizen_media_max_bytes)
    # Status changes and officers' replies reach LINE users (after each commit).
    ctx.notices.notifier = line_gateway.notifier
    # Escalations reach the station's commanders on the LINE they linked (after each
    # commit; the minute sweep catches what a crash between the two commits missed).
    escalations = EscalationAlerts(db=db, clock=ctx.clock, box=ctx.secrets,
                                   outbox=line_gateway.outbox,
                                   console_url=settings.services_public_url)
    runtime.sweeps.append(escalations.sweep)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrations.check(db.engine)
        await runtime.start()
        await snapshots.start()
        await live_desk.start()
        if prober is not None:
            await prober.start(snapshots.sources)
        if recorder is not None:
            await recorder.start()
        db.after_commit.append(ctx.notices.after_commit)
        db.after_commit.append(escalations.after_commit)
        await line_gateway.start()
        log.info("SafetyZone %s serving on %s", __version__, db.engine.dialect.name)
        try:
            yield
        finally:
            await line_gateway.stop()
            with contextlib.suppress(ValueError):
                db.after_commit.remove(ctx.notices.after_commit)
            with contextlib.suppress(ValueError):
                db.after_commit.remove(escalations.after_commit)
            if prober is not None:
                await prober.stop()
            if recorder is not None:
                await recorder.stop()
            await live_desk.stop()
            await snapshots.stop()
            await runtime.stop()
            db.dispose()

    app = FastAPI(
        title="SafetyZone",
        version=__version__,
        description="Smart Safety Zone 4.0 command-center API",
        lifespan=lifespan,
        docs_url=None,  # served by web/apidocs.py from npm packages, under the strict CSP
        redoc_url=None,
        # Text no backend can store is refused in paths, queries and forms of every route.
        dependencies=[Depends(contract.storable_params)],
    )
    app.state.ctx = ctx
    app.state.runtime = runtime
    app.state.snapshots = snapshots
    app.state.live = live_desk
    app.state.ptz = PtzDesk(db=db, clock=ctx.clock, secrets=ctx.secrets,
                            client=OnvifPtzClient(OutboundPolicy(settings.camera_networks)))
    app.state.prober = prober
    app.state.recorder = recorder
    app.state.evidence = evidence_desk
    app.state.line = line_gateway
    problems.install(app)
    contract.install(app)
    for router in ROUTERS:
        app.include_router(router)
    # Refuses to start without `npm ci`; the browser tests' hooks only in the test environment.
    console_assets.mount(app, test_hooks=settings.environment == "test")
    pwa.mount_shared(app)
    citizen_pages.mount(app)
    officer_pages.mount(app)
    partner_pages.mount(app)
    app.add_middleware(BodyLimit, limit=JSON_BODY_LIMIT, import_limit=settings.max_import_bytes,
                       media_limit=max(settings.citizen_media_max_bytes,
                                       settings.citizen_voice_max_bytes),
                       footage_limit=settings.footage_max_bytes)
    app.add_middleware(LoginGate, retry_after=ctx.login.address_retry_after)
    app.add_middleware(Metrics)
    # Pages, scripts, JSON and problem answers travel compressed (the citizen app's first
    # load on a slow mobile link: benchmarks/citizen_shell.py). Pictures, fonts and event
    # streams are left alone; WebSockets pass through; a streamed body is flushed per chunk.
    # The street map file too: its tiles are compressed already, and a whole-file download
    # (hundreds of MB) must not be gzipped on the fly (its ranges, 206, never are).
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=6,
                       exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES,
                                              basemap.MEDIA_TYPE))
    # Outermost, so every answer gets the headers: problem+json errors and refusals included.
    app.add_middleware(SecurityHeaders, tile_url=settings.tile_url)
    return app


def _sweeps(settings: Settings, ctx: AppContext) -> list[Callable[[Database, Clock], object]]:
    """The passes the runtime's sweeper makes each minute besides the citizen's and the
    tracks' own: scheduled announcements, callers of incidents entered by hand, the officer
    phone's photos and answers, the station services (requests whose time is over
    close, reminders go out, each data type erased after its period), and last month's
    reports into the archive."""
    monthly = ([MonthlyArchive(fonts_dir=reports.fonts_dir(),
                               day=settings.reports_monthly_archive_day).sweep]
               if settings.reports_monthly_archive_day else [])
    return [
        ops_calls.erase_callers,
        ops_announcements.run_due,
        partial(patrol_retention.run, store=ctx.officer_media,
                photo_days=settings.patrol_retain_photo_days),
        partial(homewatch_sweep.run, store=homewatch.media(ctx),
                retain_days=settings.services_retain_homewatch_days),
        partial(lostdocs_service.run_sweep, retain_days=settings.services_retain_lostdocs_days),
        partial(video_footage.run_sweep, store=footage.store_of(ctx)),
        partial(consult_sweep.run_sweep, policy=ServicesPolicy(
            remind_before=timedelta(hours=settings.services_consult_remind_hours),
            retain_requests=timedelta(days=settings.services_retain_consult_days),
            retain_notes=timedelta(days=settings.services_retain_consult_notes_days),
            retain_intake=timedelta(days=settings.services_retain_post_intake_days))),
        *monthly]  # last: it may draw for a few seconds when a month turns
