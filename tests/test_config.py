"""Settings: strict, with default secrets refused where they would matter."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from safetyzone.cli import app
from safetyzone.config import LogLevel, Settings, UnknownSetting


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError, match="SSZ_SECRET_KEY"):
        Settings(environment="production")
    with pytest.raises(ValidationError, match="SSZ_SECRET_KEY"):
        Settings(environment="production", secret_key="short")
    ok = Settings(environment="production", secret_key="x" * 40)
    assert ok.environment == "production"


def test_unknown_settings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        Settings(databse_url="sqlite://")  # type: ignore[call-arg]


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSZ_DATABASE_URL", "postgresql+psycopg://ssz@db/ssz")
    monkeypatch.setenv("SSZ_PORT", "9000")
    settings = Settings()
    assert settings.effective_database_url == "postgresql+psycopg://ssz@db/ssz"
    assert settings.port == 9000


def test_embedded_default_is_sqlite_in_the_data_dir(tmp_path: object) -> None:
    settings = Settings(data_dir="/srv/ssz")  # type: ignore[arg-type]
    assert settings.effective_database_url == "sqlite:////srv/ssz/safetyzone.db"


def test_a_misspelt_variable_is_refused_with_the_closest_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSZ_DATABSE_URL", "postgresql+psycopg://ssz@db/ssz")
    with pytest.raises(UnknownSetting,
                       match=r"SSZ_DATABSE_URL \(did you mean SSZ_DATABASE_URL\?\)"):
        Settings()


def test_nested_variables_are_known_and_their_typos_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSZ_MQTT__HOST", "broker")
    assert Settings().mqtt is not None
    monkeypatch.setenv("SSZ_MQTT__HOTS", "broker")
    with pytest.raises(UnknownSetting, match="SSZ_MQTT__HOST"):
        Settings()


def test_a_name_with_nothing_close_is_still_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSZ_ZZZZZZZZ", "1")
    with pytest.raises(UnknownSetting, match=r"unknown setting: SSZ_ZZZZZZZZ$"):
        Settings()


def test_the_test_suites_own_variables_are_not_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSZ_TEST_PG_BINDIR", "/usr/lib/postgresql/15/bin")
    assert Settings().environment == "development"


@pytest.mark.parametrize("environment", ["test", "production"])
def test_the_development_secret_is_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="SSZ_SECRET_KEY must be set"):
        Settings(environment=environment)  # type: ignore[arg-type]
    assert Settings(environment="development").environment == "development"


def test_log_level_is_one_of_the_known_levels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSZ_LOG_LEVEL", "warning")
    with pytest.raises(ValidationError, match="log_level"):
        Settings()
    monkeypatch.setenv("SSZ_LOG_LEVEL", "WARNING")
    assert Settings().log_level is LogLevel.WARNING


def test_the_cli_names_the_misspelt_variable_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSZ_DATABSE_URL", "postgresql+psycopg://ssz@db/ssz")
    result = CliRunner().invoke(app, ["db", "check", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "did you mean SSZ_DATABASE_URL" in result.output


def test_a_short_demo_password_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="10 to 256 characters"):
        Settings(environment="development", demo_password="x")
    assert Settings(environment="development", demo_password="x" * 10).demo_password
