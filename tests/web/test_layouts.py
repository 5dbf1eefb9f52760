"""A person's console layout on the server: their own only, its shape checked."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from safetyzone.core.db import Database
from support import changes
from support.world import World

LAYOUT = {"wall_cameras": [str(uuid.UUID(int=7))], "layers": {"zones": True, "cam_private": False},
          "windows": [{"view": "wall", "left": 1920, "top": 0, "width": 1920, "height": 1080}]}


def test_a_layout_is_its_user_s_own_and_follows_them(client: TestClient, world: World) -> None:
    operator = world.headers(client, "a.operator")
    assert client.get("/api/v1/auth/me/layout", headers=operator).json()["updated_at"] is None
    saved = client.put("/api/v1/auth/me/layout", headers=operator, json=LAYOUT)
    assert saved.status_code == 200, saved.text
    again = client.get("/api/v1/auth/me/layout", headers=world.headers(client, "a.operator"))
    assert {k: again.json()[k] for k in LAYOUT} == LAYOUT  # a new login: the same layout
    other = client.get("/api/v1/auth/me/layout", headers=world.headers(client, "b.operator"))
    assert other.json()["wall_cameras"] == []  # never another user's
    replaced = client.put("/api/v1/auth/me/layout", headers=operator,
                          json={**LAYOUT, "windows": []}).json()
    assert replaced["windows"] == []
    assert client.get("/api/v1/auth/me/layout").status_code == 401


def test_a_layout_of_the_wrong_shape_is_refused_and_changes_nothing(
    client: TestClient, world: World, db: Database,
) -> None:
    operator = world.headers(client, "a.operator")
    client.put("/api/v1/auth/me/layout", headers=operator, json=LAYOUT)
    changes.install(db)
    before = changes.mark(db)
    bad = [
        {**LAYOUT, "wall_cameras": ["not-a-uuid"]},
        {**LAYOUT, "wall_cameras": [str(uuid.uuid4()) for _ in range(65)]},
        {**LAYOUT, "layers": {"<script>": True}},
        {**LAYOUT, "layers": {"zones": "yes please"}},
        {**LAYOUT, "windows": [{"view": "queue", "left": 0, "top": 0, "width": 800,
                                "height": 600}]},
        {**LAYOUT, "windows": [{**LAYOUT["windows"][0], "width": 10}]},  # type: ignore[dict-item]
        {**LAYOUT, "theme": "dark"},
        {**LAYOUT, "layers": {"zones\x1b[31m": True}},
    ]
    for body in bad:
        response = client.put("/api/v1/auth/me/layout", headers=operator, json=body)
        assert response.status_code == 422, (body, response.text)
    assert not changes.since(db, before)
    assert client.get("/api/v1/auth/me/layout", headers=operator).json()["layers"] == LAYOUT[
        "layers"]
