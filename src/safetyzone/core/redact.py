"""Keep tokens out of the logs: every log record is masked as it is made.

Credentials that travel in a URL's query string (the live feed's ``access_token`` during the
transition to one-time tickets, a ``ticket``, anything named ``*token``, an Open311 client's
``api_key``, which GeoReport puts in the query string) end up in uvicorn's
access log and in WebSocket lines, and from there in log shippers and backups. A log
record factory masks them for every logger and handler alike, including the ones uvicorn
configures after the app is built, which a filter on one logger would miss.
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "***"
_SECRET_QUERY = re.compile(
    r"(?i)\b((?:[a-z_]*token|ticket|password|secret|api_key)=)[^&\s\"'#]+")
_installed = False


def redact(text: str) -> str:
    """``text`` with the value of every secret-looking query parameter replaced by ``***``."""
    return _SECRET_QUERY.sub(rf"\g<1>{MASK}", text)


def _clean(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


def install() -> None:
    """Mask every log record from now on, in this process (idempotent)."""
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        record.msg = _clean(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _clean(v) for k, v in record.args.items()}
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
