"""The ``ssz`` command: serve, demo, db."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

from safetyzone import migrations
from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.core.errors import DatabaseNotReady

app = typer.Typer(help="SafetyZone: the Smart Safety Zone 4.0 command center.",
                  no_args_is_help=True)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")

Host = Annotated[str | None, typer.Option(help="Address to bind (SSZ_HOST).")]
Port = Annotated[int | None, typer.Option(help="Port to bind (SSZ_PORT).")]
DataDir = Annotated[Path | None, typer.Option(help="Data directory (SSZ_DATA_DIR).")]


def _settings(**overrides: Any) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def _logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Alembic narrates every schema check (and /readyz checks on each probe): keep it quiet.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _serve(settings: Settings, db: Database) -> None:
    from safetyzone.web.app import create_app

    try:
        migrations.check(db.engine)
    except DatabaseNotReady as err:
        typer.secho(f"cannot start: {err.detail}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from err
    uvicorn.run(create_app(settings, db), host=settings.host, port=settings.port,
                log_level=settings.log_level.lower())


@app.command()
def serve(host: Host = None, port: Port = None, data_dir: DataDir = None) -> None:
    """Run the server on a migrated database."""
    settings = _settings(host=host, port=port, data_dir=data_dir)
    _logging(settings)
    _serve(settings, Database(settings.effective_database_url))


@app.command()
def demo(host: Host = None, port: Port = None, data_dir: DataDir = None) -> None:
    """Create a data directory, load the four seed zones and the 15 pilots, and serve."""
    from safetyzone.demo import loader

    settings = _settings(host=host, port=port, data_dir=data_dir or Path("./ssz-demo"))
    _logging(settings)
    db = Database(settings.effective_database_url)
    migrations.upgrade(db.engine)
    result = loader.load_demo(db, settings)
    url = f"http://{settings.host}:{settings.port}"
    typer.echo("")
    typer.secho("SafetyZone demo", bold=True)
    typer.echo(f"  data:   {settings.data_dir.resolve()}")
    typer.echo(f"  API:    {url}/docs")
    typer.echo(f"  loaded: {result.summary}")
    typer.echo("  logins (password for all):")
    for username, description in result.users:
        typer.echo(f"    {username:<22} {description}")
    typer.echo(f"  password: {result.password}")
    typer.echo("")
    _serve(settings, db)


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
