"""The PTZ desk: checks in a worker thread, the camera over the network, the record after.

Each action reads the target (scope, permission, sharing terms) off the event loop, talks
to the camera through the ONVIF client, and then writes one audit row and the camera's new
heading in one short transaction. A camera that fails to answer changes nothing here.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Scope
from safetyzone.video.ptz import service
from safetyzone.video.ptz.client import PtzClient
from safetyzone.video.ptz.schemas import MoveIn, PresetIn, PresetRead, PtzDone


@dataclass
class PtzDesk:
    db: Database
    clock: Clock
    secrets: SecretBox
    client: PtzClient

    def _target(self, scope: Scope, camera_id: uuid.UUID) -> service.PtzTarget:
        with self.db.read() as session:
            return service.target(session, scope=scope, secrets=self.secrets,
                                  camera_id=camera_id, now=self.clock.now())

    async def target(self, scope: Scope, camera_id: uuid.UUID) -> service.PtzTarget:
        return await asyncio.to_thread(self._target, scope, camera_id)

    async def _record(self, scope: Scope, target: service.PtzTarget, action: str,
                      detail: dict[str, object], heading: float | None, change: bool,
                      profile: str | None) -> None:
        def write() -> None:
            with self.db.write() as session:
                service.record(session, scope=scope, clock=self.clock, target=target,
                               action=action, detail=detail, heading=heading,
                               change_heading=change, profile_token=profile)
        await asyncio.to_thread(write)

    async def presets(self, scope: Scope, camera_id: uuid.UUID) -> list[PresetRead]:
        target = await self.target(scope, camera_id)
        _, found = await self.client.presets(target.address, target.profile_token)
        return service.presets_view(target=target,
                                    device=[(p.token, p.name, p.pan) for p in found])

    async def move(self, scope: Scope, camera_id: uuid.UUID, body: MoveIn) -> PtzDone:
        """Start a continuous move (it stops by itself after a second unless repeated)."""
        target = await self.target(scope, camera_id)
        profile = await self.client.move(target.address, target.profile_token, body.pan,
                                         body.tilt, body.zoom)
        turning = body.pan != 0
        # Turning away from a known heading: unknown until the stop reads the pan back.
        heading = None if turning else target.heading_before
        await self._record(scope, target, "move", {"pan": body.pan, "tilt": body.tilt,
                                                   "zoom": body.zoom}, heading, turning, profile)
        return PtzDone(camera_id=camera_id, action="move", heading_deg=heading)

    async def stop(self, scope: Scope, camera_id: uuid.UUID) -> PtzDone:
        target = await self.target(scope, camera_id)
        profile = await self.client.stop(target.address, target.profile_token)
        heading = target.heading_before
        change = False
        if target.pan_zero_heading_deg is not None:
            _, status = await self.client.status(target.address, profile)
            heading, change = target.heading_of_pan(status.pan), True
        await self._record(scope, target, "stop", {}, heading, change, profile)
        return PtzDone(camera_id=camera_id, action="stop", heading_deg=heading)

    async def goto(self, scope: Scope, camera_id: uuid.UUID, token: str) -> PtzDone:
        target = await self.target(scope, camera_id)
        profile = await self.client.goto_preset(target.address, target.profile_token, token)
        heading = target.preset_headings.get(token)
        if heading is None and target.pan_zero_heading_deg is not None:
            _, status = await self.client.status(target.address, profile)
            heading = target.heading_of_pan(status.pan)
        await self._record(scope, target, "goto_preset", {"preset": token}, heading, True,
                           profile)
        return PtzDone(camera_id=camera_id, action="goto_preset", heading_deg=heading,
                       preset_token=token)

    async def set_preset(self, scope: Scope, camera_id: uuid.UUID, body: PresetIn) -> PtzDone:
        """Store the camera's current view as a device preset, with the heading it faces:
        the one given, else the calibrated pan, else the camera's heading if known."""
        target = await self.target(scope, camera_id)
        profile, token = await self.client.set_preset(target.address, target.profile_token,
                                                      body.name)
        heading = body.heading_deg
        if heading is None and target.pan_zero_heading_deg is not None:
            _, status = await self.client.status(target.address, profile)
            heading = target.heading_of_pan(status.pan)
        known_now = heading is not None  # said by the operator or read from the device
        if heading is None:
            heading = target.heading_before

        def write() -> None:
            with self.db.write() as session:
                service.save_preset(session, scope=scope, clock=self.clock, target=target,
                                    token=token, name=body.name, heading=heading)
                service.record(session, scope=scope, clock=self.clock, target=target,
                               action="set_preset", detail={"preset": token, "name": body.name},
                               heading=heading, change_heading=known_now,
                               profile_token=profile)
        await asyncio.to_thread(write)
        return PtzDone(camera_id=camera_id, action="set_preset", heading_deg=heading,
                       preset_token=token)
