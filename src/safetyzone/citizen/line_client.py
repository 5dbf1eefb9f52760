"""Calls to the LINE Messaging API: push, reply, a photo's content, rich menus.

The JSON calls go through line-bot-sdk (``linebot.v3.messaging``: its request models check
the message shapes) with ``Configuration(host=SSZ_LINE_API_BASE)``. The SDK pins the content
calls to ``https://api-data.line.me`` and reads a photo whole into memory, so those two
(a photo's content, a rich menu image) use httpx against ``SSZ_LINE_DATA_API_BASE``,
streaming with a size cap.

Every call carries the channel's own bearer token and a timeout, and every failure becomes
one :class:`LineApiError` saying whether trying again can help (network, 429, 5xx) or not
(a refused token, a bad request). Callers record it; nothing here raises anything else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx
import urllib3
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    Message,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    RichMenuRequest,
)
from linebot.v3.messaging.exceptions import ApiException
from pydantic.v1 import ValidationError as V1ValidationError

from safetyzone.core.errors import SafetyZoneError

log = logging.getLogger(__name__)
TIMEOUT_S = 10.0
MAX_MESSAGES = 5  # LINE takes at most five message objects per push or reply
MAX_TEXT = 5000
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
MENU_IMAGE_MAX = 1024 * 1024  # LINE's limit for a rich menu image
_CHUNK = 64 * 1024


@dataclass
class LineApiError(SafetyZoneError):
    """LINE did not take the call; ``retryable`` says whether the same call may succeed."""

    code: str = "line-api-error"
    status: int | None = None
    retryable: bool = False


@dataclass
class PhotoRefused(SafetyZoneError):
    """The content is not a photo we keep (too large, not JPEG/PNG): never retried."""

    code: str = "line-photo-refused"
    too_large: bool = False


@dataclass(frozen=True)
class Content:
    data: bytes
    content_type: str


def text_message(text: str, quick_reply: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A LINE text message object (cut to LINE's 5000 characters)."""
    message: dict[str, Any] = {"type": "text", "text": text[:MAX_TEXT]}
    if quick_reply:
        message["quickReply"] = {"items": [{"type": "action", "action": a}
                                           for a in quick_reply[:13]]}
    return message


class LineClient:
    """One channel's view of the LINE API (its token), used from worker threads."""

    def __init__(self, *, api_base: str, data_api_base: str, token: str,
                 timeout_s: float = TIMEOUT_S) -> None:
        self.api_base = api_base.rstrip("/")
        self.data_api_base = data_api_base.rstrip("/")
        self._token = token
        self.timeout_s = timeout_s

    # -- JSON API, through the SDK -------------------------------------------------------

    def push(self, to: str, messages: list[dict[str, Any]], *, retry_key: str | None = None
             ) -> None:
        """Push to a user. ``retry_key`` (a UUID) makes a repeated push count once at LINE."""
        request = PushMessageRequest(to=to, messages=self._messages(messages))
        try:
            self._call(lambda api: api.push_message(
                request, x_line_retry_key=retry_key, _request_timeout=self.timeout_s))
        except LineApiError as err:
            if err.status == 409 and retry_key:  # accepted before: the answer got lost
                return
            raise

    def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> None:
        """Answer an event with its reply token (valid once, for about a minute)."""
        request = ReplyMessageRequest(reply_token=reply_token, messages=self._messages(messages))
        self._call(lambda api: api.reply_message(request, _request_timeout=self.timeout_s))

    def create_rich_menu(self, menu: dict[str, Any]) -> str:
        try:
            request = RichMenuRequest.from_dict(menu)
        except (V1ValidationError, ValueError, TypeError, KeyError) as err:
            raise LineApiError(f"the rich menu is not one LINE takes: {err}") from err
        answer = self._call(lambda api: api.create_rich_menu(
            request, _request_timeout=self.timeout_s))
        rich_menu_id = getattr(answer, "rich_menu_id", None)
        if not isinstance(rich_menu_id, str):
            raise LineApiError("LINE answered no richMenuId", retryable=True)
        return rich_menu_id

    def set_default_rich_menu(self, rich_menu_id: str) -> None:
        self._call(lambda api: api.set_default_rich_menu(
            rich_menu_id, _request_timeout=self.timeout_s))

    def _messages(self, messages: list[dict[str, Any]]) -> list[Any]:
        if not 1 <= len(messages) <= MAX_MESSAGES:
            raise LineApiError(f"LINE takes 1 to {MAX_MESSAGES} messages, not {len(messages)}")
        try:
            return [Message.from_dict(m) for m in messages]
        except (V1ValidationError, ValueError, TypeError, KeyError) as err:
            raise LineApiError(f"not a LINE message object: {err}") from err

    def _call(self, work: Any) -> Any:
        configuration = Configuration(host=self.api_base, access_token=self._token)
        configuration.retries = 0  # the outbox retries, with back-off, after a commit
        try:
            with ApiClient(configuration) as client:
                return work(MessagingApi(client))
        except ApiException as err:
            raise _api_error(err.status, str(err.body or err.reason or "")) from err
        except (urllib3.exceptions.HTTPError, OSError) as err:
            raise LineApiError(f"LINE API unreachable: {type(err).__name__}",
                               retryable=True) from err

    # -- content API, through httpx ------------------------------------------------------

    def content(self, message_id: str, *, max_bytes: int) -> Content:
        """A photo the user sent, refused (:class:`PhotoRefused`) past ``max_bytes``."""
        url = f"{self.data_api_base}/v2/bot/message/{message_id}/content"
        try:
            with self._http() as http, http.stream("GET", url) as response:
                if response.status_code != 200:
                    response.read()
                    raise _api_error(response.status_code, response.text[:200])
                content_type = response.headers.get("content-type", "").split(";")[0].strip()
                if content_type not in PHOTO_TYPES:
                    raise PhotoRefused(f"content type {content_type or 'none'} is not a photo")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise PhotoRefused(f"photo of {declared} bytes is over {max_bytes}",
                                       too_large=True)
                data = bytearray()
                for chunk in response.iter_bytes(_CHUNK):
                    data += chunk
                    if len(data) > max_bytes:
                        raise PhotoRefused(f"photo is over {max_bytes} bytes", too_large=True)
                return Content(bytes(data), content_type)
        except httpx.HTTPError as err:
            raise LineApiError(f"LINE content API unreachable: {type(err).__name__}",
                               retryable=True) from err

    def upload_rich_menu_image(self, rich_menu_id: str, data: bytes, content_type: str) -> None:
        if content_type not in PHOTO_TYPES or len(data) > MENU_IMAGE_MAX:
            raise LineApiError("a rich menu image is a JPEG or PNG of at most 1 MB")
        url = f"{self.data_api_base}/v2/bot/richmenu/{rich_menu_id}/content"
        try:
            with self._http() as http:
                response = http.post(url, content=data, headers={"Content-Type": content_type})
        except httpx.HTTPError as err:
            raise LineApiError(f"LINE content API unreachable: {type(err).__name__}",
                               retryable=True) from err
        if response.status_code != 200:
            raise _api_error(response.status_code, response.text[:200])

    def _http(self) -> httpx.Client:
        return httpx.Client(timeout=self.timeout_s, follow_redirects=False,
                            headers={"Authorization": f"Bearer {self._token}"})


def _api_error(status: int | None, body: str) -> LineApiError:
    retryable = status is None or status == 429 or status >= 500
    return LineApiError(f"LINE answered {status}: {body[:200]}", status=status,
                        retryable=retryable)
