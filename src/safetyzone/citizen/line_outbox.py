"""The outbox to LINE: replies, pushes and photo downloads, sent after their commit.

A job is written in the same transaction as the change it reports (a ticket opened, a
status changed, an officer's answer), so a change is never announced before it is durable
and never lost after it is. A worker sends due jobs one at a time, in order; a job that
LINE took is deleted. A failure LINE may get past (network, 429, 5xx) is tried again after
5 s, 30 s, 2 min, 10 min and 1 h, then kept as ``failed`` with its error (the admin's
channel list counts them); a refusal (bad token, bad body) fails at once. A reply whose
token LINE no longer takes (about a minute after the event) becomes a push when it matters
(a ticket code), so the user still hears it.

``send_now`` is for answers that must store nothing (the consent prompt to someone who has
not accepted, "too many messages"): sent from a thread, logged if LINE refuses, never kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from safetyzone.citizen import line_channels
from safetyzone.citizen.line_client import Content, LineApiError, LineClient, PhotoRefused
from safetyzone.citizen.line_models import JobKind, JobState, LineDelivery, LineJob
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.errors import DatabaseUnavailable, SafetyZoneError
from safetyzone.core.secretbox import SecretBox

log = logging.getLogger(__name__)
WAKE_KEY = "ssz.line.outbox"
BACKOFF = (timedelta(seconds=5), timedelta(seconds=30), timedelta(minutes=2),
           timedelta(minutes=10), timedelta(hours=1))
KEEP = timedelta(days=7)  # failed jobs and served event ids
POLL_S = 5.0
BATCH = 50


@dataclass(frozen=True)
class Job:
    """A job as the worker hands it on (read before the call, outside any transaction)."""

    id: int
    retry_key: uuid.UUID
    channel_id: uuid.UUID
    kind: JobKind
    user_hash: str
    user_id: str
    reply_token: str | None
    payload: dict[str, Any]
    item_code: str | None
    message_ref: str | None
    attempts: int


class PhotoSink(Protocol):
    """Where a downloaded photo goes (the chat: a report opened or added to)."""

    def photo(self, session: Session, job: Job, content: Content) -> None: ...

    def photo_refused(self, job: Job, refusal: PhotoRefused | LineApiError) -> None: ...

    def photo_settled(self, info: dict[str, Any]) -> None:
        """The photo's transaction ended (``info`` is its session's): files it stored that
        no committed row refers to are removed."""


class Outbox:
    def __init__(self, db: Database, clock: Clock, box: SecretBox, *, api_base: str,
                 data_api_base: str, photo_max_bytes: int, timeout_s: float = 10.0) -> None:
        self.db = db
        self.clock = clock
        self.box = box
        self.api_base = api_base
        self.data_api_base = data_api_base
        self.photo_max_bytes = photo_max_bytes
        self.timeout_s = timeout_s
        self.photos: PhotoSink | None = None
        # The citizen service's delivery record for an officer's message (sent or failed).
        self.delivered: Callable[[Session, str, bool], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._pruned: datetime | None = None

    # -- writing jobs (inside the caller's transaction) ---------------------------------

    def add(self, session: Session, *, kind: JobKind, channel_id: uuid.UUID, user_hash: str,
            user_id: str, payload: dict[str, Any], reply_token: str | None = None,
            item_code: str | None = None, message_ref: str | None = None) -> LineJob:
        job = LineJob(retry_key=uuid.uuid4(), channel_id=channel_id, kind=kind,
                      state=JobState.PENDING,
                      user_hash=user_hash, to_sealed=self.box.seal(user_id),
                      reply_token=reply_token, payload=payload, item_code=item_code,
                      message_ref=message_ref, attempts=0, next_at=self.clock.now(),
                      created_at=self.clock.now())
        session.add(job)
        session.info[WAKE_KEY] = True
        return job

    def reply(self, session: Session, *, channel_id: uuid.UUID, user_hash: str, user_id: str,
              reply_token: str | None, messages: list[dict[str, Any]],
              item_code: str | None = None) -> None:
        """Answer an event; if its token has expired, push instead (the user must hear it)."""
        self.add(session, kind=JobKind.REPLY if reply_token else JobKind.PUSH,
                 channel_id=channel_id, user_hash=user_hash, user_id=user_id,
                 reply_token=reply_token, payload={"messages": messages, "fallback_push": True},
                 item_code=item_code)

    def client(self, session: Session, channel_id: uuid.UUID) -> LineClient:
        token = line_channels.access_token(session, box=self.box, channel_id=channel_id)
        return LineClient(api_base=self.api_base, data_api_base=self.data_api_base,
                          token=token, timeout_s=self.timeout_s)

    def send_now(self, channel_id: uuid.UUID, reply_token: str | None,
                 messages: list[dict[str, Any]], *, push_to: str | None = None) -> None:
        """Answer without keeping anything (blocking: call from a thread): the reply token,
        else (none, or LINE refused it) a push to ``push_to`` when given."""
        try:
            with self.db.read() as session:
                client = self.client(session, channel_id)
            if reply_token:
                try:
                    client.reply(reply_token, messages)
                    return
                except LineApiError:
                    if push_to is None:
                        raise
            if push_to is not None:
                client.push(push_to, messages)
        except SafetyZoneError as err:
            log.warning("LINE answer not sent (nothing kept): %s", err.detail)

    # -- the worker ------------------------------------------------------------------------

    def after_commit(self, info: dict[str, Any]) -> None:
        """Database hook: a transaction that wrote jobs wakes the worker."""
        if info.get(WAKE_KEY):
            self.wake()

    def wake(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # loop closed: shutting down
                loop.call_soon_threadsafe(wake.set)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.db.after_commit.append(self.after_commit)
        self._task = asyncio.create_task(self._work(), name="line-outbox")

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.db.after_commit.remove(self.after_commit)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loop = self._wake = None

    async def _work(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_S)
            self._wake.clear()
            try:
                while await asyncio.to_thread(self.run_due) == BATCH:
                    pass
            except DatabaseUnavailable as err:
                log.warning("LINE outbox waits: database unavailable (%s)", err.cause)
            except Exception:
                log.exception("LINE outbox pass failed; trying again in %.0f s", POLL_S)

    def run_due(self) -> int:
        """Send the jobs that are due, oldest first; how many were looked at."""
        now = self.clock.now()
        with self.db.read() as session:
            due = list(session.scalars(select(LineJob).where(
                LineJob.state == JobState.PENDING, LineJob.next_at <= now)
                .order_by(LineJob.id).limit(BATCH)))
            jobs = [self._job(row) for row in due]
        for job in jobs:
            self._run(job)
        self._prune(now)
        return len(jobs)

    def _job(self, row: LineJob) -> Job:
        return Job(id=row.id, retry_key=row.retry_key, channel_id=row.channel_id,
                   kind=row.kind,
                   user_hash=row.user_hash, user_id=self.box.open(row.to_sealed),
                   reply_token=row.reply_token, payload=dict(row.payload),
                   item_code=row.item_code, message_ref=row.message_ref,
                   attempts=row.attempts)

    def _run(self, job: Job) -> None:
        try:
            with self.db.read() as session:
                client = self.client(session, job.channel_id)
            if job.kind is JobKind.FETCH:
                self._fetch(job, client)
                return
            messages = job.payload["messages"]
            if job.kind is JobKind.REPLY and job.reply_token:
                client.reply(job.reply_token, messages)
            else:
                client.push(job.user_id, messages, retry_key=str(job.retry_key))
        except LineApiError as err:
            self._failed(job, err)
            return
        except DatabaseUnavailable:
            raise  # the job stays pending: the next pass tries again
        except SafetyZoneError as err:  # the channel is gone, a key does not open
            self._failed(job, LineApiError(err.detail))
            return
        except Exception as err:  # a bug must not retry the same job every few seconds
            log.exception("LINE %s job %s broke", job.kind.value, job.id)
            self._failed(job, LineApiError(f"internal error: {type(err).__name__}"))
            return
        self._done(job, sent=True)

    def _fetch(self, job: Job, client: LineClient) -> None:
        sink = self.photos
        assert sink is not None, "the chat registers itself as the photo sink"
        try:
            content = client.content(job.payload["message_id"], max_bytes=self.photo_max_bytes)
        except PhotoRefused as refused:
            self._forget(job)
            sink.photo_refused(job, refused)
            return
        except LineApiError as err:
            if err.retryable and job.attempts + 1 < len(BACKOFF):
                self._failed(job, err)
            else:  # LINE keeps content for a while only: tell the user, keep nothing
                self._forget(job)
                sink.photo_refused(job, err)
            return
        info: dict[str, Any] = {}
        try:
            with self.db.write() as session:
                info = session.info
                if session.get(LineJob, job.id) is None:
                    return  # done by another worker
                sink.photo(session, job, content)
                session.execute(delete(LineJob).where(LineJob.id == job.id))
        finally:  # committed or not: a stored file that no row kept is removed
            sink.photo_settled(info)

    def _forget(self, job: Job) -> None:
        """A refused photo: its job and the record that its event was served both go."""
        with self.db.write() as session:
            session.execute(delete(LineJob).where(LineJob.id == job.id))
            event_id = job.payload.get("event_id")
            if event_id:
                session.execute(delete(LineDelivery).where(
                    LineDelivery.channel_id == job.channel_id,
                    LineDelivery.event_id == event_id))

    def _done(self, job: Job, *, sent: bool) -> None:
        with self.db.write() as session:
            session.execute(delete(LineJob).where(LineJob.id == job.id))
            if job.message_ref and self.delivered is not None:
                self.delivered(session, job.message_ref, sent)

    def _failed(self, job: Job, err: LineApiError) -> None:
        now = self.clock.now()
        with self.db.write() as session:
            row = session.get(LineJob, job.id)
            if row is None:
                return
            row.last_error = err.detail[:300]
            if (row.kind is JobKind.REPLY and err.status == 400
                    and row.payload.get("fallback_push")):
                row.kind, row.reply_token, row.next_at = JobKind.PUSH, None, now
                return
            row.attempts += 1
            if err.retryable and row.attempts <= len(BACKOFF):
                row.next_at = now + BACKOFF[row.attempts - 1]
                return
            row.state = JobState.FAILED
            log.warning("LINE %s job %s failed for good: %s", row.kind.value, row.id,
                        err.detail)
            if row.message_ref and self.delivered is not None:
                self.delivered(session, row.message_ref, False)

    def _prune(self, now: datetime) -> None:
        if self._pruned is not None and now - self._pruned < timedelta(hours=1):
            return
        self._pruned = now
        with self.db.write() as session:
            session.execute(delete(LineJob).where(LineJob.state == JobState.FAILED,
                                                  LineJob.created_at < now - KEEP))
            session.execute(delete(LineDelivery).where(LineDelivery.received_at < now - KEEP))
