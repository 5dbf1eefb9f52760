"""Settings: strict, with default secrets refused where they would matter."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from safetyzone.config import Settings


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
