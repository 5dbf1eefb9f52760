"""LINE channels in and out of the admin API: secrets go in, never come out."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from safetyzone.core.text import Inbound

# A channel secret is 32 hex digits; a long-lived channel access token is base64-ish text.
SECRET_PATTERN = r"^[0-9A-Za-z]{16,128}$"  # noqa: S105 - a pattern
TOKEN_PATTERN = r"^[0-9A-Za-z+/=._-]{20,1024}$"  # noqa: S105 - a pattern


class LineChannelCreate(Inbound):
    model_config = ConfigDict(extra="forbid")
    station_code: str = Field(min_length=1, max_length=64,
                              description="The station this LINE Official Account serves "
                              "(by_location: the one that takes reports with no location).")
    name: str = Field(min_length=1, max_length=200, description="e.g. the account's name.")
    line_channel_id: str = Field(pattern=r"^[0-9]{6,32}$",
                                 description="The channel ID in the LINE Developers console.")
    channel_secret: SecretStr = Field(description="Channel secret (Basic settings): checks "
                                      "webhook signatures. Sealed; never shown again.")
    access_token: SecretStr = Field(description="Long-lived channel access token (Messaging "
                                    "API tab): sends replies and pushes. Sealed.")

    @model_validator(mode="after")
    def _shapes(self) -> LineChannelCreate:
        _check(self.channel_secret, SECRET_PATTERN, "channel_secret")
        _check(self.access_token, TOKEN_PATTERN, "access_token")
        return self


class LineChannelRotate(Inbound):
    """A secret or token reissued in the LINE console; the old secret verifies for an hour."""

    model_config = ConfigDict(extra="forbid")
    channel_secret: SecretStr | None = None
    access_token: SecretStr | None = None

    @model_validator(mode="after")
    def _something(self) -> LineChannelRotate:
        if self.channel_secret is None and self.access_token is None:
            raise ValueError("give channel_secret, access_token or both")
        if self.channel_secret is not None:
            _check(self.channel_secret, SECRET_PATTERN, "channel_secret")
        if self.access_token is not None:
            _check(self.access_token, TOKEN_PATTERN, "access_token")
        return self


def _check(value: SecretStr, pattern: str, name: str) -> None:
    if not re.fullmatch(pattern, value.get_secret_value()):
        raise ValueError(f"{name} does not look like one LINE issues ({pattern})")


class LineChannelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    station_id: uuid.UUID
    station_code: str
    name: str
    line_channel_id: str
    bot_user_id: str | None = Field(description="Learned from the first signed webhook.")
    webhook_path: str = Field(description="Give LINE this path on this server as the "
                              "webhook URL (Messaging API tab).")
    active: bool
    rich_menu_id: str | None
    created_by: str
    created_at: datetime
    rotated_at: datetime | None
    previous_valid_until: datetime | None = Field(
        description="Until then the previous channel secret still verifies webhooks.")
    failed_jobs: int = Field(0, description="Messages to LINE that failed for good (recent).")
