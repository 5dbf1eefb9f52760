"""The station's LINE rich menu: defined in the repo, drawn by a script, installed by the CLI.

``line_richmenu.json`` is the menu as LINE takes it (2500 x 1686: emergency across the top;
report, tip, my tickets and station below), its postbacks the ones ``citizen.line`` serves.
``line_richmenu.png`` is drawn from it by ``scripts/line_richmenu_image.py`` (Pillow, the
Sarabun font from npm). ``ssz line richmenu --station <code>`` installs both on the
station's channel and makes the menu every user's default.
"""

from __future__ import annotations

import io
import json
from importlib import resources
from typing import Any

from PIL import Image

from safetyzone.citizen.line_client import MENU_IMAGE_MAX, LineClient
from safetyzone.core.errors import InvalidInput, Problem

ACTIONS = frozenset({"emergency", "report", "tip", "tickets", "station"})
# What each button says under its Thai label, and its colour (scripts/line_richmenu_image.py).
LABELS = {"emergency": ("Emergency", "#C62828"), "report": ("Report", "#1F4E8C"),
          "tip": ("Tip", "#2E6B3F"), "tickets": ("My tickets", "#5B3F8C"),
          "station": ("My station", "#8C5B1F")}


def load_menu() -> dict[str, Any]:
    text = resources.files("safetyzone.citizen").joinpath("line_richmenu.json").read_text(
        "utf-8")
    menu: dict[str, Any] = json.loads(text)
    return menu


def load_image() -> bytes:
    return resources.files("safetyzone.citizen").joinpath("line_richmenu.png").read_bytes()


def check(menu: dict[str, Any], image: bytes) -> None:
    """Refuse a menu LINE would refuse, or one whose buttons the chat does not serve."""
    problems = []
    size = menu["size"]
    try:
        with Image.open(io.BytesIO(image)) as picture:
            if picture.format not in ("PNG", "JPEG"):
                problems.append(Problem("the image must be PNG or JPEG", "image"))
            if picture.size != (size["width"], size["height"]):
                problems.append(Problem(f"the image is {picture.size}, the menu {size}", "image"))
    except OSError:
        problems.append(Problem("not an image", "image"))
    if len(image) > MENU_IMAGE_MAX:
        problems.append(Problem("a rich menu image is at most 1 MB", "image"))
    if not 1 <= len(menu.get("chatBarText", "")) <= 14:
        problems.append(Problem("1 to 14 characters", "chatBarText"))
    served = set()
    for i, area in enumerate(menu["areas"]):
        action = area["action"]
        data = action.get("data", "")
        if action["type"] != "postback" or not data.startswith("action=") or data[7:] not in \
                ACTIONS:
            problems.append(Problem(f"not a postback the chat serves: {data}", f"areas[{i}]"))
        served.add(data[7:])
        if len(action.get("label", "")) > 20:
            problems.append(Problem("a label is at most 20 characters", f"areas[{i}]"))
        b = area["bounds"]
        if b["x"] + b["width"] > size["width"] or b["y"] + b["height"] > size["height"]:
            problems.append(Problem("outside the menu", f"areas[{i}]"))
    if served != ACTIONS:
        problems.append(Problem(f"buttons missing: {sorted(ACTIONS - served)}", "areas"))
    if problems:
        raise InvalidInput("the rich menu is not one to install", problems)


def install(client: LineClient, menu: dict[str, Any], image: bytes) -> str:
    """Create the menu, upload its image, make it the default; the new rich menu id."""
    check(menu, image)
    rich_menu_id = client.create_rich_menu(menu)
    client.upload_rich_menu_image(rich_menu_id, image, "image/png")
    client.set_default_rich_menu(rich_menu_id)
    return rich_menu_id
