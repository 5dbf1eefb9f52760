"""The ``ssz`` command: serve, demo, simulate, db, users, replay, line, evidence."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import logging
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer
import uvicorn
from pydantic import ValidationError

from safetyzone import migrations
from safetyzone.config import Settings, UnknownSetting
from safetyzone.core.db import Database
from safetyzone.core.errors import DatabaseNotReady

if TYPE_CHECKING:
    from safetyzone.simulate.sender import BackgroundSimulator

app = typer.Typer(help="SafetyZone: the Smart Safety Zone 4.0 command center.",
                  no_args_is_help=True)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
users_app = typer.Typer(
    help="Break-glass user administration on the server (SSZ_DATABASE_URL, or SQLite in the "
    "data directory); audited as cli:<OS user>.", no_args_is_help=True)
app.add_typer(users_app, name="users")
replay_app = typer.Typer(help="Send captured device frames to a running server.",
                         no_args_is_help=True)
app.add_typer(replay_app, name="replay")
line_app = typer.Typer(help="The stations' LINE Official Accounts.", no_args_is_help=True)
app.add_typer(line_app, name="line")
evidence_app = typer.Typer(help="Evidence packages exported from the console.",
                           no_args_is_help=True)
app.add_typer(evidence_app, name="evidence")

Host = Annotated[str | None, typer.Option(help="Address to bind (SSZ_HOST).")]
Port = Annotated[int | None, typer.Option(help="Port to bind (SSZ_PORT).")]
DataDir = Annotated[Path | None, typer.Option(help="Data directory (SSZ_DATA_DIR).")]


def _settings(**overrides: Any) -> Settings:
    """The settings, or a one-line reason and exit 2: a bad setting must stop the start."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except UnknownSetting as err:
        typer.secho(f"cannot start: {err}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from err
    except ValidationError as err:
        for problem in err.errors():
            loc = problem["loc"]
            where = "SSZ_" + "__".join(str(part).upper() for part in loc) if loc else "settings"
            typer.secho(f"cannot start: {where}: {problem['msg']}", fg=typer.colors.RED,
                        err=True)
        raise typer.Exit(2) from err


def _logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Alembic narrates every schema check (and /readyz checks on each probe): keep it quiet.
    logging.getLogger("alembic").setLevel(logging.WARNING)


class _ServerWithSimulator(uvicorn.Server):
    """On Ctrl-C, stop the simulator (it needs the server to finish what is in flight),
    then the server. A second Ctrl-C stops the server at once."""

    def __init__(self, config: uvicorn.Config, simulator: BackgroundSimulator) -> None:
        super().__init__(config)
        self._simulator = simulator
        self.stopping = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.stopping:
            super().handle_exit(sig, frame)
            return
        self.stopping = True
        self._simulator.request_stop()

        def then_exit() -> None:
            self._simulator.join(timeout=15)
            super(_ServerWithSimulator, self).handle_exit(sig, frame)

        threading.Thread(target=then_exit, name="stop-simulator", daemon=True).start()


def _serve(settings: Settings, db: Database,
           simulator: BackgroundSimulator | None = None) -> None:
    from safetyzone.web.app import create_app

    try:
        migrations.check(db.engine)
    except DatabaseNotReady as err:
        typer.secho(f"cannot start: {err.detail}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from err
    if simulator is None:
        uvicorn.run(create_app(settings, db), host=settings.host, port=settings.port,
                    log_level=settings.log_level.lower())
        return
    config = uvicorn.Config(create_app(settings, db), host=settings.host, port=settings.port,
                            log_level=settings.log_level.lower())
    server = _ServerWithSimulator(config, simulator)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    logging.getLogger("uvicorn.access").addFilter(_quiet_device_intake)
    simulator.start()
    try:
        # uvicorn re-raises the Ctrl-C it handled once it has shut down; for the demo that
        # is the normal way to end, not an interruption to pass on.
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
    finally:
        simulator.stop()
    if not server.started and not server.stopping:
        raise typer.Exit(3)  # as uvicorn.run does when the app cannot start


def _quiet_device_intake(record: logging.LogRecord) -> bool:
    """Keep the simulator's accepted device posts out of the access log (it still counts)."""
    args = record.args if isinstance(record.args, tuple) else ()
    return not (len(args) >= 5 and str(args[2]).startswith("/api/v1/intake/")
                and args[4] == 200)


def _local_url(host: str, port: int) -> str:
    """Where a client on this machine reaches a server bound to ``host``."""
    if host in {"", "0.0.0.0"}:  # noqa: S104 - a comparison, not a bind
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@app.command()
def serve(host: Host = None, port: Port = None, data_dir: DataDir = None) -> None:
    """Run the server on a migrated database."""
    settings = _settings(host=host, port=port, data_dir=data_dir)
    _logging(settings)
    _serve(settings, Database(settings.effective_database_url))


@app.command()
def demo(
    host: Host = None, port: Port = None, data_dir: DataDir = None,
    no_simulate: Annotated[bool, typer.Option(
        "--no-simulate", help="Do not start the device simulator.")] = False,
    no_history: Annotated[bool, typer.Option(
        "--no-history", help="Do not seed the synthetic past (demo data) on the first load.")
    ] = False,
    history_days: Annotated[int, typer.Option(
        "--history-days", min=1, max=365,
        help="Days of synthetic past to seed on the first load.")] = 90,
) -> None:
    """Create a data directory, load the four seed zones and 16 stations, and serve.

    On the first load the seed zones' stations also get a synthetic past (incidents, camera
    health, patrols, citizen reports, a People Poll wave; all marked demo data) so the
    measuring screens have figures: --no-history skips it, --history-days sets its length.
    Unless --no-simulate, the demo's patrol cars, SOS buttons and plate cameras come alive:
    a simulator posts their events to the server like real devices (see ssz simulate).
    """
    from safetyzone.demo import history, loader

    settings = _settings(host=host, port=port, data_dir=data_dir or Path("./ssz-demo"))
    _logging(settings)
    db = Database(settings.effective_database_url)
    migrations.upgrade(db.engine)
    result = loader.load_demo(db, settings)
    past = None if no_history else history.seed_history(db, settings, days=history_days)
    url = f"http://{settings.host}:{settings.port}"
    typer.echo("")
    typer.secho("SafetyZone demo", bold=True)
    typer.echo(f"  data:    {settings.data_dir.resolve()}")
    typer.secho(f"  console: {url}/console   (log in as pcr.operator)", bold=True)
    typer.echo(f"  API:     {url}/docs")
    typer.echo(f"  loaded: {result.summary}")
    typer.echo(f"  history (simulated, marked demo data; off: --no-history): "
               f"{past.summary if past else 'not seeded'}")
    typer.echo("  logins (password for all):")
    for username, description in result.users:
        typer.echo(f"    {username:<22} {description}")
    typer.echo(f"  password: {result.password}")
    simulator = None if no_simulate else _demo_simulator(settings)
    typer.echo("")
    _serve(settings, db, simulator)


def _demo_simulator(settings: Settings) -> BackgroundSimulator | None:
    from safetyzone.simulate import devices
    from safetyzone.simulate.plan import SimConfig
    from safetyzone.simulate.sender import BackgroundSimulator, Simulator

    path = settings.data_dir / devices.DEVICES_FILE
    try:
        loaded = devices.load_devices(path)
    except devices.DevicesFileError as err:
        typer.secho(f"  simulator off: {err}", fg=typer.colors.YELLOW)
        return None
    config = SimConfig()
    url = _local_url(settings.host, settings.port)
    typer.echo(f"  simulator: {loaded.device_count} devices, {config.rate:g} events/s "
               f"(off: --no-simulate; alone: ssz simulate --url {url} --devices {path})")
    return BackgroundSimulator(Simulator(url, loaded, config, drain_s=5.0))


@app.command()
def simulate(
    url: Annotated[str, typer.Option(help="The server's base URL.")] = "http://127.0.0.1:8000",
    devices: Annotated[Path, typer.Option(
        help="Devices file with tokens: ssz demo writes DATA_DIR/simulator-devices.json.",
    )] = Path("./ssz-demo/simulator-devices.json"),
    rate: Annotated[float, typer.Option(min=0.01, help="Events per second, all devices.")] = 5.0,
    duration: Annotated[float | None, typer.Option(
        min=0, help="Stop after this many seconds (default: run until Ctrl-C).")] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same paths and events.")] = 1,
    concurrency: Annotated[int, typer.Option(
        min=1, max=1024, help="Requests in flight at once (keep-alive connections).")] = 8,
    sos_per_minute: Annotated[float, typer.Option(
        min=0, help="SOS presses per minute over all SOS points.")] = 1.0,
    summary_every: Annotated[float, typer.Option(
        min=0.5, help="Seconds between summary lines in the log.")] = 10.0,
) -> None:
    """Play the demo's devices against a server through the public device intake.

    Patrol units drive inside their zones and report GPS, SOS buttons and bank alarms go
    off now and then, plate cameras read Thai plates. Also a load generator: raise --rate
    and --concurrency.
    """
    from safetyzone.simulate import devices as device_file
    from safetyzone.simulate.plan import SimConfig
    from safetyzone.simulate.sender import Simulator

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    try:
        loaded = device_file.load_devices(devices)
        config = SimConfig(rate=rate, sos_per_minute=sos_per_minute)
    except ValueError as err:
        typer.secho(str(err), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from err
    simulator = Simulator(url, loaded, config, seed=seed, concurrency=concurrency,
                          summary_every=summary_every)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: stop, then print the summary
        asyncio.run(simulator.run(duration=duration))
    typer.echo(f"simulator: {simulator.stats.line()}")
    if simulator.stats.errors and not simulator.stats.acked:
        raise typer.Exit(1)


@app.command("simulate-ptz")
def simulate_ptz(
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port on 127.0.0.1.")] = 8899,
    username: Annotated[str, typer.Option(help="The camera's user (WS-Security).")] = "viewer",
    password: Annotated[str, typer.Option(
        help="The camera's password: the stream password of the camera it stands for.")] = "",
) -> None:
    """Serve a simulated ONVIF PTZ camera on loopback (SOAP; presets, moves, status).

    The demo gives one police camera per zone PTZ settings pointing here; the server may
    reach it only when SSZ_CAMERA_NETWORKS lists 127.0.0.1/32 (never in production).
    """
    import time

    from safetyzone.simulate.onvif_ptz import SimulatedPtzCamera

    if not password:
        typer.secho("--password is required", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    with SimulatedPtzCamera(username=username, password=password, port=port) as cam:
        typer.echo(f"simulated ONVIF PTZ camera on http://127.0.0.1:{cam.port} (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Apply every migration (SSZ_DATABASE_URL, or SQLite in the data directory)."""
    settings = _settings(data_dir=data_dir)
    db = Database(settings.effective_database_url)
    migrations.upgrade(db.engine)
    typer.echo(f"database at revision {migrations.current_revision(db.engine)}")


@db_app.command("check")
def db_check(data_dir: DataDir = None) -> None:
    """Exit non-zero unless the database schema matches this code."""
    settings = _settings(data_dir=data_dir)
    try:
        migrations.check(Database(settings.effective_database_url).engine)
    except DatabaseNotReady as err:
        typer.secho(err.detail, fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from err
    typer.echo("database schema is current")


def _users_db(data_dir: Path | None) -> Database:
    settings = _settings(data_dir=data_dir)
    db = Database(settings.effective_database_url)
    try:
        migrations.check(db.engine)
    except DatabaseNotReady as err:
        typer.secho(f"cannot open the database: {err.detail}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from err
    return db


def _cli_actor() -> Any:
    """The system actor, named after the OS user, so the audit says who broke the glass."""
    from safetyzone.core.security import system_scope

    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        who = "unknown"
    return system_scope(f"cli:{who}"[:64])


def _users_run(data_dir: Path | None, work: Any) -> Any:
    """Run ``work(session, scope, clock)`` in one write; domain errors exit 1 with the reason."""
    from safetyzone.core.clock import SystemClock
    from safetyzone.core.errors import SafetyZoneError

    db = _users_db(data_dir)
    try:
        with db.write() as session:
            return work(session, _cli_actor(), SystemClock())
    except SafetyZoneError as err:
        reasons = "".join(f"\n  {p.field or ''}: {p.reason}" for p in err.problems)
        typer.secho(f"{err.detail}{reasons}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from err
    finally:
        db.dispose()


Username = Annotated[str, typer.Argument(help="The login name.")]
NewPassword = Annotated[str, typer.Option(
    prompt=True, hide_input=True, confirmation_prompt=True,
    help="Asked for when not given (at least 10 characters).")]


@users_app.command("list")
def users_list(data_dir: DataDir = None) -> None:
    """Every user with role and state."""
    from safetyzone.org import auth

    def work(session: Any, scope: Any, _clock: Any) -> list[str]:
        return [f"{u.username:<24} {u.role.value:<15} "
                f"{'active' if u.is_active else 'DEACTIVATED'}  {u.display_name}"
                for u in auth.list_users(session, scope=scope)]

    for line in _users_run(data_dir, work):
        typer.echo(line)


@users_app.command("create")
def users_create(
    username: Username,
    role: Annotated[str, typer.Option(help="admin, commander, operator, patrol_officer, "
                                           "investigator, partner, viewer or volunteer.")],
    org_unit: Annotated[list[str], typer.Option(help="Org unit code (repeat for more).")],
    password: NewPassword,
    display_name: Annotated[str | None, typer.Option(help="Default: the username.")] = None,
    partner: Annotated[str | None, typer.Option(help="Partner code (role partner).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Create a user (e.g. the first admin of a fresh station)."""
    from pydantic import ValidationError

    from safetyzone.org import auth
    from safetyzone.org.schemas import UserCreate

    try:
        data = UserCreate(username=username, display_name=display_name or username,
                          password=password, role=role,
                          org_unit_codes=org_unit, partner_code=partner)
    except ValidationError as err:
        for error in err.errors():
            typer.secho(f"{'.'.join(map(str, error['loc']))}: {error['msg']}",
                        fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from err
    _users_run(data_dir, lambda s, scope, clock: auth.create_user(
        s, scope=scope, clock=clock, data=data))
    typer.echo(f"created {username} ({role})")


@users_app.command("reset-password")
def users_reset_password(username: Username, password: NewPassword,
                         data_dir: DataDir = None) -> None:
    """Set a new password; every token the user holds stops working."""
    from safetyzone.org import auth

    if len(password) < 10:
        typer.secho("the password needs at least 10 characters", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    _users_run(data_dir, lambda s, scope, clock: auth.set_password(
        s, scope=scope, clock=clock, username=username, password=password))
    typer.echo(f"password of {username} replaced")


@users_app.command("reactivate")
def users_reactivate(username: Username, data_dir: DataDir = None) -> None:
    """Let a deactivated user log in again."""
    from safetyzone.org import auth

    _users_run(data_dir, lambda s, scope, clock: auth.reactivate_user(
        s, scope=scope, clock=clock, user_id=auth.find_user(s, username=username).id))
    typer.echo(f"{username} is active again")


@line_app.command("richmenu")
def line_richmenu(
    station: Annotated[str, typer.Option(help="Code of the station whose channel gets it.")],
    image: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, help="PNG to use instead of the one in the repo "
        "(scripts/line_richmenu_image.py draws it).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Install the rich menu (emergency, report, tip, my tickets, station) as the default of
    a station's LINE channel, through SSZ_LINE_API_BASE; audited as cli:<OS user>."""
    from safetyzone.citizen import line_channels, line_richmenu
    from safetyzone.citizen.line_client import LineClient
    from safetyzone.core.errors import SafetyZoneError
    from safetyzone.core.secretbox import SecretBox

    settings = _settings(data_dir=data_dir)
    box = SecretBox(settings.secret_key.get_secret_value())
    menu = line_richmenu.load_menu()
    picture = image.read_bytes() if image else line_richmenu.load_image()

    def channel(session: Any, scope: Any, _clock: Any) -> tuple[Any, str]:
        found = line_channels.channel_for_station(session, scope=scope, station_code=station)
        return found.id, box.open(found.token_sealed)

    channel_id, token = _users_run(data_dir, channel)
    client = LineClient(api_base=settings.line_api_base,
                        data_api_base=settings.line_data_api_base, token=token)
    try:
        rich_menu_id = line_richmenu.install(client, menu, picture)
    except SafetyZoneError as err:
        reasons = "".join(f"\n  {p.field or ''}: {p.reason}" for p in err.problems)
        typer.secho(f"rich menu not installed: {err.detail}{reasons}", fg=typer.colors.RED,
                    err=True)
        raise typer.Exit(1) from err
    _users_run(data_dir, lambda s, scope, clock: line_channels.set_rich_menu(
        s, scope=scope, clock=clock, channel_id=channel_id, rich_menu_id=rich_menu_id))
    typer.echo(f"rich menu {rich_menu_id} is the default of {station}'s LINE channel")


ReplayHost = Annotated[str, typer.Option(help="The receiver's address.")]
ReplayFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                            help="Captured frames, one per line.")]


@replay_app.command("sia")
def replay_sia(file: ReplayFile, port: Annotated[int, typer.Option(help="SIA TCP port.")],
               host: ReplayHost = "127.0.0.1") -> None:
    """SIA DC-09 frames (hex, receiver log lines, or text) over TCP; prints each reply."""
    from safetyzone import replay

    frames = replay.sia_frames(replay.read_lines(file))
    for n, result in enumerate(asyncio.run(replay.replay_sia(host, port, frames)), 1):
        typer.echo(f"{n}: {result}")


@replay_app.command("osmand")
def replay_osmand(file: ReplayFile, url: Annotated[str, typer.Option(
        help="e.g. http://host:5055/ or http://host:8000/api/v1/gateways/osmand")]) -> None:
    """OsmAnd query strings, one GET each; prints each HTTP status."""
    from safetyzone import replay

    for n, result in enumerate(replay.replay_osmand(url, replay.read_lines(file)), 1):
        typer.echo(f"{n}: {result}")


@replay_app.command("nmea")
def replay_nmea(file: ReplayFile, port: Annotated[int, typer.Option(help="NMEA TCP port.")],
                device_id: Annotated[str, typer.Option("--id", help="Registered tracker id.")],
                host: ReplayHost = "127.0.0.1") -> None:
    """NMEA sentences over TCP after a $PGID login; prints what the server did."""
    from safetyzone import replay

    typer.echo(asyncio.run(replay.replay_nmea(host, port, device_id,
                                              replay.read_lines(file))))


@evidence_app.command("verify")
def evidence_verify(
    package: Annotated[Path, typer.Argument(help="The exported ZIP.", exists=True,
                                            dir_okay=False)],
    public_key: Annotated[Path | None, typer.Option(
        help="The station's published public key (PEM): the package must be signed by it.",
        exists=True, dir_okay=False)] = None,
) -> None:
    """Re-hash every file of an evidence package and check its signature, offline; print
    each check, and exit 1 naming what fails."""
    from safetyzone.video.evidence import package as evidence_package

    trusted = public_key.read_bytes() if public_key else None
    try:
        report = evidence_package.verify(package, trusted_key=trusted)
    except ValueError as err:  # a --public-key file that is no key
        typer.secho(f"FAIL {public_key}: not a public key ({err})", fg=typer.colors.RED,
                    err=True)
        raise typer.Exit(2) from err
    for good, text in report.lines:
        typer.secho(f"{'OK  ' if good else 'FAIL'} {text}",
                    fg=typer.colors.GREEN if good else typer.colors.RED)
    if report.ok:
        note = "" if trusted else (" (the key came with the package: compare its fingerprint "
                                   "with the one the station publishes)")
        typer.secho(f"VERIFIED: {package.name}, signed by {report.fingerprint}{note}",
                    fg=typer.colors.GREEN)
        return
    typer.secho(f"NOT VERIFIED: {len(report.failures)} check(s) failed", fg=typer.colors.RED,
                err=True)
    raise typer.Exit(1)
