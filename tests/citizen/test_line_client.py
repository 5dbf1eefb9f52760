"""The LINE API client against the local stand-in: tokens, shapes, bases, caps, failures."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest

from safetyzone.citizen.line_client import (
    LineApiError,
    LineClient,
    PhotoRefused,
    text_message,
)
from support.line_standin import LineStandIn, line_standin, sample_jpeg

TOKEN = "channel-token-A-0123456789abcdef"
USER = "U" + "4" * 32


@pytest.fixture
def standin() -> Iterator[LineStandIn]:
    with line_standin(TOKEN) as server:
        yield server


def client(standin: LineStandIn, token: str = TOKEN) -> LineClient:
    return LineClient(api_base=standin.api_base, data_api_base=standin.data_api_base,
                      token=token, timeout_s=5)


def test_push_carries_the_token_and_the_documented_body(standin: LineStandIn) -> None:
    key = str(uuid.uuid4())
    client(standin).push(USER, [text_message("สวัสดี", [
        {"type": "location", "label": "ส่งตำแหน่ง"}])], retry_key=key)
    (call,) = standin.sent("/v2/bot/message/push")
    assert call.token == TOKEN
    assert call.headers["content-type"].startswith("application/json")
    assert call.headers["x-line-retry-key"] == key
    assert call.json["to"] == USER
    assert call.json["messages"][0]["text"] == "สวัสดี"
    assert call.json["messages"][0]["quickReply"]["items"][0]["action"]["type"] == "location"


def test_a_repeated_retry_key_is_not_an_error(standin: LineStandIn) -> None:
    key = str(uuid.uuid4())
    client(standin).push(USER, [text_message("one")], retry_key=key)
    client(standin).push(USER, [text_message("one")], retry_key=key)  # LINE says 409
    assert len(standin.sent("/v2/bot/message/push")) == 1
    assert [c.status for c in standin.calls] == [200, 409]


def test_reply_uses_the_token_once(standin: LineStandIn) -> None:
    token = standin.reply_token()
    client(standin).reply(token, [text_message("รับแจ้งแล้ว")])
    (call,) = standin.sent("/v2/bot/message/reply")
    assert call.json == {"replyToken": token, "messages": [{"type": "text",
                                                           "text": "รับแจ้งแล้ว"}],
                         "notificationDisabled": False}
    with pytest.raises(LineApiError) as again:
        client(standin).reply(token, [text_message("again")])
    assert again.value.status == 400 and not again.value.retryable


def test_a_wrong_token_is_refused_for_good(standin: LineStandIn) -> None:
    with pytest.raises(LineApiError) as refused:
        client(standin, token="not-the-channel-token-0000").push(USER, [text_message("x")])
    assert refused.value.status == 401 and not refused.value.retryable


@pytest.mark.parametrize(("status", "retryable"), [(429, True), (500, True), (503, True),
                                                   (400, False), (403, False)])
def test_failures_say_whether_to_retry(standin: LineStandIn, status: int,
                                       retryable: bool) -> None:
    standin.fail_next("/v2/bot/message/push", status)
    with pytest.raises(LineApiError) as failed:
        client(standin).push(USER, [text_message("x")])
    assert (failed.value.status, failed.value.retryable) == (status, retryable)


def test_an_unreachable_api_is_retryable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    dead = LineClient(api_base=f"http://127.0.0.1:{port}",
                      data_api_base=f"http://127.0.0.1:{port}", token=TOKEN, timeout_s=2)
    for call in (lambda: dead.push(USER, [text_message("x")]),
                 lambda: dead.content("1", max_bytes=1000)):
        with pytest.raises(LineApiError) as failed:
            call()
        assert failed.value.retryable and failed.value.status is None


def test_messages_are_checked_before_sending(standin: LineStandIn) -> None:
    with pytest.raises(LineApiError, match="1 to 5"):
        client(standin).push(USER, [text_message(str(i)) for i in range(6)])
    with pytest.raises(LineApiError, match="not a LINE message"):
        client(standin).push(USER, [{"type": "hologram"}])
    assert standin.calls == []
    assert len(text_message("x" * 6000)["text"]) == 5000


def test_photo_content_comes_from_the_data_base(standin: LineStandIn) -> None:
    photo = sample_jpeg()
    standin.contents["m1"] = (photo, "image/jpeg")
    got = client(standin).content("m1", max_bytes=1_000_000)
    assert got.data == photo and got.content_type == "image/jpeg"
    (call,) = standin.calls
    assert call.path == "/data/v2/bot/message/m1/content" and call.token == TOKEN


@pytest.mark.parametrize("unsized", [False, True])
def test_a_photo_over_the_cap_is_refused_while_it_streams(standin: LineStandIn,
                                                          unsized: bool) -> None:
    standin.contents["big"] = (b"\xff\xd8" + bytes(300_000), "image/jpeg")
    if unsized:
        standin.unsized.add("big")
    with pytest.raises(PhotoRefused) as refused:
        client(standin).content("big", max_bytes=100_000)
    assert refused.value.too_large


def test_content_that_is_not_a_photo_is_refused(standin: LineStandIn) -> None:
    standin.contents["doc"] = (b"%PDF-1.4", "application/pdf")
    with pytest.raises(PhotoRefused) as refused:
        client(standin).content("doc", max_bytes=100_000)
    assert not refused.value.too_large
    with pytest.raises(LineApiError) as missing:
        client(standin).content("gone", max_bytes=100_000)
    assert missing.value.status == 404


def test_rich_menu_create_upload_and_default(standin: LineStandIn) -> None:
    menu = {"size": {"width": 2500, "height": 843}, "selected": True, "name": "m",
            "chatBarText": "เมนู", "areas": [{"bounds": {"x": 0, "y": 0, "width": 2500,
                                                      "height": 843},
                                            "action": {"type": "postback",
                                                       "data": "action=report"}}]}
    line = client(standin)
    menu_id = line.create_rich_menu(menu)
    line.upload_rich_menu_image(menu_id, b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png")
    line.set_default_rich_menu(menu_id)
    assert standin.rich_menus[menu_id]["areas"][0]["action"]["data"] == "action=report"
    assert standin.menu_images[menu_id].startswith(b"\x89PNG")
    assert standin.default_menu == menu_id
    paths = [c.path for c in standin.calls]
    assert paths == ["/v2/bot/richmenu", f"/data/v2/bot/richmenu/{menu_id}/content",
                     f"/v2/bot/user/all/richmenu/{menu_id}"]
    with pytest.raises(LineApiError, match="at most 1 MB"):
        line.upload_rich_menu_image(menu_id, bytes(1024 * 1024 + 1), "image/png")
