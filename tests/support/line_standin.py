"""A local stand-in for the LINE Messaging API: a real HTTP server on a free loopback port.

It checks what LINE checks (https://developers.line.biz/en/reference/messaging-api/): the
bearer token of a registered channel, the JSON shapes of push and reply (``to`` a user id,
``replyToken`` one it handed out and not yet used, one to five message objects of a known
type, text of 1 to 5000 characters), ``X-Line-Retry-Key`` (a UUID; a repeat answers 409),
rich menus (size, areas, actions) and their images (JPEG or PNG, at most 1 MB). It serves
the content of photos a test put there, and records every call, refused ones included.

The JSON API answers at ``api_base``; the content API at ``data_api_base`` (a ``/data``
prefix on the same server), so a client that mixes the two bases is caught.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USER_ID = re.compile(r"U[0-9a-f]{32}")
MESSAGE_TYPES = {"text", "sticker", "image", "video", "audio", "location", "imagemap",
                 "template", "flex"}
ACTION_TYPES = {"postback", "message", "uri", "datetimepicker", "camera", "cameraRoll",
                "location", "richmenuswitch", "clipboard"}


@dataclass
class Call:
    method: str
    path: str
    token: str | None
    headers: dict[str, str]
    body: bytes
    status: int = 0

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LineStandIn:
    tokens: set[str] = field(default_factory=set)
    contents: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    unsized: set[str] = field(default_factory=set)  # served without Content-Length
    calls: list[Call] = field(default_factory=list)
    reply_tokens: set[str] = field(default_factory=set)
    rich_menus: dict[str, dict[str, Any]] = field(default_factory=dict)
    menu_images: dict[str, bytes] = field(default_factory=dict)
    default_menu: str | None = None
    fail: dict[str, list[int]] = field(default_factory=dict)  # path prefix -> statuses
    port: int = 0
    _retry_keys: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/data"

    def reply_token(self) -> str:
        """A reply token LINE would put in a webhook event (valid once)."""
        token = uuid.uuid4().hex
        self.reply_tokens.add(token)
        return token

    def fail_next(self, path_prefix: str, *statuses: int) -> None:
        """The next calls under ``path_prefix`` answer these statuses, in order."""
        self.fail.setdefault(path_prefix, []).extend(statuses)

    def sent(self, path: str) -> list[Call]:
        """Calls to ``path`` that LINE accepted (status 200)."""
        with self._lock:
            return [c for c in self.calls if c.path == path and c.status == 200]

    def texts(self, path: str = "/v2/bot/message/push") -> list[str]:
        return [m.get("text", "") for c in self.sent(path) for m in c.json["messages"]]

    # -- the server side ---------------------------------------------------------------

    def handle(self, call: Call) -> tuple[int, dict[str, Any]]:
        with self._lock:
            status, answer = self._answer(call)
            call.status = status
            self.calls.append(call)
            return status, answer

    def _answer(self, call: Call) -> tuple[int, dict[str, Any]]:
        if call.token not in self.tokens:
            return 401, {"message": "Authentication failed. Confirm that the access token "
                                    "in the authorization header is valid."}
        for prefix, statuses in self.fail.items():
            if call.path.startswith(prefix) and statuses:
                return statuses.pop(0), {"message": "stand-in failure"}
        data = call.path.startswith("/data/")
        path = call.path.removeprefix("/data") if data else call.path
        route = (call.method, path)
        if data:
            return self._data(call, path)
        if route == ("POST", "/v2/bot/message/push"):
            return self._push(call)
        if route == ("POST", "/v2/bot/message/reply"):
            return self._reply(call)
        if route == ("POST", "/v2/bot/richmenu"):
            return self._rich_menu(call)
        match = re.fullmatch(r"/v2/bot/user/all/richmenu/([\w-]+)", path)
        if call.method == "POST" and match:
            if match.group(1) not in self.rich_menus:
                return 404, {"message": "Not found"}
            self.default_menu = match.group(1)
            return 200, {}
        return 404, {"message": "Not found"}

    def _json(self, call: Call) -> dict[str, Any] | None:
        if call.headers.get("content-type", "").split(";")[0] != "application/json":
            return None
        try:
            body = json.loads(call.body)
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _messages(self, body: dict[str, Any]) -> str | None:
        messages = body.get("messages")
        if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
            return "messages must be 1 to 5 message objects"
        for message in messages:
            if not isinstance(message, dict) or message.get("type") not in MESSAGE_TYPES:
                return "unknown message type"
            if message["type"] == "text" and not (
                    isinstance(message.get("text"), str) and 1 <= len(message["text"]) <= 5000):
                return "text must be 1 to 5000 characters"
            items = (message.get("quickReply") or {}).get("items", [])
            if len(items) > 13 or any(i.get("action", {}).get("type") not in ACTION_TYPES
                                      for i in items):
                return "bad quick reply"
        return None

    def _push(self, call: Call) -> tuple[int, dict[str, Any]]:
        body = self._json(call)
        if body is None or not isinstance(body.get("to"), str) or not USER_ID.fullmatch(
                body["to"]):
            return 400, {"message": "The request body has 1 error(s)", "details": [
                {"message": "must be a user id", "property": "to"}]}
        problem = self._messages(body)
        if problem:
            return 400, {"message": problem}
        key = call.headers.get("x-line-retry-key")
        if key is not None:
            try:
                uuid.UUID(key)
            except ValueError:
                return 400, {"message": "The retry key must be a UUID"}
            if key in self._retry_keys:
                return 409, {"message": "The retry key is already accepted"}
            self._retry_keys.add(key)
        return 200, {"sentMessages": [{"id": uuid.uuid4().hex[:18], "quoteToken": "q"}
                                      for _ in body["messages"]]}

    def _reply(self, call: Call) -> tuple[int, dict[str, Any]]:
        body = self._json(call)
        if body is None or body.get("replyToken") not in self.reply_tokens:
            return 400, {"message": "Invalid reply token"}
        problem = self._messages(body)
        if problem:
            return 400, {"message": problem}
        self.reply_tokens.discard(body["replyToken"])
        return 200, {"sentMessages": [{"id": uuid.uuid4().hex[:18]} for _ in body["messages"]]}

    def _rich_menu(self, call: Call) -> tuple[int, dict[str, Any]]:
        body = self._json(call)
        size = (body or {}).get("size") or {}
        areas = (body or {}).get("areas")
        ok = (body is not None and 800 <= size.get("width", 0) <= 2500
              and size.get("height", 0) >= 250 and size["width"] / size["height"] >= 1.45
              and isinstance(body.get("selected"), bool)
              and 1 <= len(str(body.get("name", ""))) <= 300
              and 1 <= len(str(body.get("chatBarText", ""))) <= 14
              and isinstance(areas, list) and 1 <= len(areas) <= 20)
        if ok:
            for area in areas:  # type: ignore[union-attr]
                bounds, action = area.get("bounds", {}), area.get("action", {})
                ok = ok and action.get("type") in ACTION_TYPES and all(
                    isinstance(bounds.get(k), int) and bounds[k] >= 0
                    for k in ("x", "y", "width", "height")) and (
                    bounds["x"] + bounds["width"] <= size["width"]
                    and bounds["y"] + bounds["height"] <= size["height"])
        if not ok:
            return 400, {"message": "A rich menu must have a valid size, name, chatBarText "
                                    "and 1 to 20 areas inside it"}
        rich_menu_id = f"richmenu-{uuid.uuid4().hex}"
        self.rich_menus[rich_menu_id] = body  # type: ignore[assignment]
        return 200, {"richMenuId": rich_menu_id}

    def _data(self, call: Call, path: str) -> tuple[int, dict[str, Any]]:
        match = re.fullmatch(r"/v2/bot/message/([\w-]+)/content", path)
        if call.method == "GET" and match:
            if match.group(1) not in self.contents:
                return 404, {"message": "Not found"}
            return 200, {"_content": match.group(1)}
        match = re.fullmatch(r"/v2/bot/richmenu/([\w-]+)/content", path)
        if call.method == "POST" and match:
            kind = call.headers.get("content-type", "")
            if match.group(1) not in self.rich_menus:
                return 404, {"message": "Not found"}
            if kind not in ("image/jpeg", "image/png") or not 0 < len(call.body) <= 1024 * 1024:
                return 400, {"message": "a rich menu image is a JPEG or PNG of at most 1 MB"}
            self.menu_images[match.group(1)] = call.body
            return 200, {}
        return 404, {"message": "Not found"}


class _Handler(BaseHTTPRequestHandler):
    standin: LineStandIn

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        auth = self.headers.get("authorization") or ""
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        call = Call(self.command, self.path, token,
                    {k.lower(): v for k, v in self.headers.items()}, body)
        status, answer = self.standin.handle(call)
        if "_content" in answer:
            data, kind = self.standin.contents[answer["_content"]]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            if answer["_content"] not in self.standin.unsized:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _serve  # noqa: N815 - the name http.server calls
    do_POST = _serve  # noqa: N815


@contextmanager
def line_standin(*tokens: str) -> Iterator[LineStandIn]:
    """Run the stand-in on a free loopback port for the ``with`` block."""
    standin = LineStandIn(tokens=set(tokens))
    handler = type("Handler", (_Handler,), {"standin": standin})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    standin.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="line-standin",
                              daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def sample_jpeg(lat: float = 13.7301, lon: float = 100.4702) -> bytes:
    """A small photo as a phone sends it: JPEG with the GPS position in its EXIF."""
    import io

    from PIL import Image

    image = Image.new("RGB", (320, 240))
    image.putdata([((x * 7) % 256, (y * 5) % 256, ((x + y) * 3) % 256)
                   for y in range(240) for x in range(320)])
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)

    def dms(value: float) -> tuple[float, float, float]:
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (degrees, minutes, round(((value - degrees) * 60 - minutes) * 60, 4))

    gps.update({1: "N", 2: dms(lat), 3: "E", 4: dms(lon)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()
