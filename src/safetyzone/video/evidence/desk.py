"""The evidence desk: making clips (ffmpeg, off the event loop's back), handing them out with
a custody row each time, and building export packages.

Files live under data_dir/evidence/<station>/: clips are written once, then made read-only;
a clip whose bytes no longer match the hash taken when it was made is not handed out (409
``evidence-tampered``), and the refused attempt is itself a custody row with the hash found.
"""

from __future__ import annotations

import asyncio
import os
import stat
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from safetyzone.core.clock import BANGKOK, Clock, as_utc
from safetyzone.core.db import Database
from safetyzone.core.errors import Conflict
from safetyzone.core.security import Scope
from safetyzone.video.evidence import cutter, package, service
from safetyzone.video.evidence.models import CustodyAction, EvidenceClip
from safetyzone.video.evidence.schemas import ClipRead, ClipRequest, ClipsMade, Skipped
from safetyzone.video.evidence.signing import EvidenceSigner
from safetyzone.video.media import tools
from safetyzone.video.recording.recorder import folder_name


class Tampered(Conflict):
    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail, code="evidence-tampered")


class NoFootage(Conflict):
    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail, code="no-footage")


@dataclass(frozen=True)
class Handed:
    path: Path
    name: str


def _times(at: datetime) -> dict[str, str]:
    at = as_utc(at)
    return {"utc": at.isoformat(), "bangkok": at.astimezone(BANGKOK).isoformat()}


class EvidenceDesk:
    def __init__(self, *, db: Database, clock: Clock, root: Path, recordings: Path,
                 signer: EvidenceSigner) -> None:
        self.db, self.clock, self.root, self.recordings = db, clock, root, recordings
        self.signer = signer
        self._cut_lock = asyncio.Semaphore(2)  # re-encoding is CPU: two clips at a time

    async def make(self, scope: Scope, incident_id: uuid.UUID, data: ClipRequest,
                   address: str | None) -> ClipsMade:
        """One clip per camera with footage in the window; 409 ``no-footage`` when none."""
        plan = await asyncio.to_thread(self._plan, scope, incident_id, data)
        ffmpeg = tools.require("ffmpeg")
        made: list[service.MadeFile] = []
        skipped: list[Skipped] = []
        for camera in plan.cameras:
            cut = cutter.plan([cutter.Piece(self.recordings / p, s, e)
                               for p, s, e in camera.segments], plan.since, plan.until)
            if cut is None:
                skipped.append(Skipped(camera_id=camera.camera_id, code=camera.code,
                                       reason="no recording in the window"))
                continue
            clip_id = uuid.uuid4()
            relative = f"{folder_name(plan.station_code, plan.station_id)}/{clip_id.hex}.mp4"
            out = self.root / relative
            async with self._cut_lock:
                await cutter.cut_clip(ffmpeg, cut, incident_number=plan.number,
                                      camera_code=camera.code, out=out)
            await asyncio.to_thread(os.chmod, out, stat.S_IRUSR | stat.S_IRGRP)
            digest = await asyncio.to_thread(package.sha256_file, out)
            made.append(service.MadeFile(clip_id, camera.camera_id, camera.code,
                                         cut.starts_at, cut.ends_at, relative,
                                         out.stat().st_size, digest, cut.gaps))
        if not made:
            raise NoFootage("no camera of this request has recordings between "
                            f"{plan.since.isoformat()} and {plan.until.isoformat()}")
        rows = await asyncio.to_thread(self._store, scope, plan, made, address)
        return ClipsMade(clips=rows, skipped=skipped,
                         gaps={str(m.clip_id): m.gaps for m in made if m.gaps})

    async def hand_out(self, scope: Scope, clip_id: uuid.UUID, action: CustodyAction,
                       address: str | None) -> Handed:
        """The clip's file for viewing or downloading, after its hash is checked and the
        act recorded."""
        clip = await asyncio.to_thread(self._clip, scope, clip_id)
        path = self.root / clip.path
        digest = await asyncio.to_thread(self._hash_or_missing, path)
        await asyncio.to_thread(self._record, scope, clip, action, address, digest)
        if digest != clip.sha256:
            raise Tampered(f"clip {clip.id} does not match the hash taken when it was made "
                           f"({clip.sha256}); it is not handed out and the attempt is in its "
                           "chain of custody")
        return Handed(path, f"{clip.incident_number}-{clip.camera_code}-{clip.id.hex[:8]}.mp4")

    async def export(self, scope: Scope, incident_id: uuid.UUID,
                     clip_ids: list[uuid.UUID] | None, address: str | None) -> Handed:
        """A signed package of the incident's clips (all, or those named) in a temporary
        file the caller removes after sending."""
        incident, clips = await asyncio.to_thread(self._clips, scope, incident_id, clip_ids)
        now = self.clock.now()
        entries: list[dict[str, Any]] = []
        files: list[tuple[str, Path]] = []
        for clip in clips:
            path = self.root / clip.path
            digest = await asyncio.to_thread(self._hash_or_missing, path)
            if digest != clip.sha256:
                await asyncio.to_thread(self._record, scope, clip, CustodyAction.EXPORTED,
                                        address, digest)
                raise Tampered(f"clip {clip.id} ({clip.camera_code}) does not match its hash; "
                               "nothing was exported")
            name = f"clips/{folder_name(clip.camera_code, clip.camera_id)}-{clip.id.hex[:8]}.mp4"
            files.append((name, path))
            entries.append({
                "file": name, "clip_id": str(clip.id), "camera_id": str(clip.camera_id),
                "camera": clip.camera_code, "from": _times(clip.starts_at),
                "to": _times(clip.ends_at), "sha256": clip.sha256, "bytes": clip.bytes,
                "made_by": clip.made_by, "made_at": _times(clip.made_at)})
        manifest = {
            "incident": {"id": str(incident.id), "number": service.incident_number(incident),
                         "station_id": str(incident.station_id), "kind": incident.kind,
                         "title_th": incident.title_th, "title_en": incident.title_en,
                         "opened_at": _times(incident.opened_at)},
            "exported_by": scope.username, "exported_from": address,
            "exported_at": _times(now), "clips": entries}
        self.root.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.root, prefix=".export-", suffix=".zip")
        os.close(handle)
        out = Path(name)
        try:
            await asyncio.to_thread(package.build, out, manifest=manifest, clips=files,
                                    signer=self.signer)
            await asyncio.to_thread(self._exported, scope, clips, address)
        except BaseException:
            await asyncio.to_thread(out.unlink, missing_ok=True)
            raise
        return Handed(out, f"{service.incident_number(incident)}-evidence.zip")

    # -- in threads --------------------------------------------------------------------------

    def _plan(self, scope: Scope, incident_id: uuid.UUID, data: ClipRequest
              ) -> service.ClipPlan:
        with self.db.read() as session:
            return service.plan_clips(session, scope=scope, incident_id=incident_id, data=data)

    def _store(self, scope: Scope, plan: service.ClipPlan, made: list[service.MadeFile],
               address: str | None) -> list[ClipRead]:
        with self.db.write() as session:
            rows = service.store_clips(session, scope=scope, plan=plan, made=made,
                                       at=self.clock.now(), address=address)
            return [ClipRead.model_validate(r) for r in rows]

    def _clip(self, scope: Scope, clip_id: uuid.UUID) -> EvidenceClip:
        with self.db.read() as session:
            clip = service.get_clip(session, scope=scope, clip_id=clip_id)
            session.expunge(clip)
            return clip

    def _clips(self, scope: Scope, incident_id: uuid.UUID, clip_ids: list[uuid.UUID] | None
               ) -> tuple[Any, list[EvidenceClip]]:
        with self.db.read() as session:
            incident, clips = service.clips_of(session, scope=scope, incident_id=incident_id,
                                               clip_ids=clip_ids)
            session.expunge_all()
            return incident, clips

    def _record(self, scope: Scope, clip: EvidenceClip, action: CustodyAction,
                address: str | None, digest: str) -> None:
        with self.db.write() as session:
            attached = session.get(EvidenceClip, clip.id)
            assert attached is not None
            service.record(session, scope=scope, clip=attached, action=action,
                           at=self.clock.now(), address=address, sha256=digest)

    def _exported(self, scope: Scope, clips: list[EvidenceClip], address: str | None) -> None:
        with self.db.write() as session:
            for clip in clips:
                attached = session.get(EvidenceClip, clip.id)
                assert attached is not None
                service.record(session, scope=scope, clip=attached,
                               action=CustodyAction.EXPORTED, at=self.clock.now(),
                               address=address, sha256=clip.sha256,
                               detail={"clips_in_package": len(clips)})

    @staticmethod
    def _hash_or_missing(path: Path) -> str:
        try:
            return package.sha256_file(path)
        except FileNotFoundError:
            return "missing"
