"""The street map file (``SSZ_TILES_FILE``), served by the app itself to logged-in users.

A closed-network CCOC reaches no tile server, so the console reads one PMTiles file from
this route: the map library asks for the 16 KiB header and root directory first, then for
each tile's bytes, all as HTTP Range requests (206, ``Content-Range``; a suffix range, an
``If-Range``, HEAD and several ranges at once included). Starlette's ``FileResponse`` answers
those (a start past the end: 416 with ``Content-Range: bytes */<size>``); the tests in
``tests/web/test_basemap.py`` hold it to that, so a Starlette that drops it fails them.

Behind a login, not public: the file is public map data, but it is large (Thailand about
1 GB) and this server also faces citizens' phones, so an open route would be a free bulk
download from a police machine. Every console user already holds a token for the API; the
console sends it with each range (``static/js/basemap.js``).
"""

from __future__ import annotations

import os

from fastapi import APIRouter
from fastapi.responses import FileResponse

from safetyzone.core.errors import NotFound
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["basemap"])
PATH = "/api/v1/basemap.pmtiles"
MEDIA_TYPE = "application/vnd.pmtiles"


@router.api_route("/basemap.pmtiles", methods=["GET", "HEAD"], response_class=FileResponse,
                  include_in_schema=False)
def read_basemap(ctx: ContextDep, scope: ScopeDep) -> FileResponse:
    """The configured tile file, whole or by byte range, for any logged-in user.

    ``scope`` is the login check only: the streets are the same for every station.
    """
    del scope
    path = ctx.settings.tiles_file
    if path is None:
        raise NotFound("no street map file is configured on this server (SSZ_TILES_FILE)")
    try:
        stat = os.stat(path)  # a plain def route: this runs in the thread pool
    except OSError as err:  # moved or deleted since the start: say so, not 500
        raise NotFound("the street map file is no longer readable on this server") from err
    # Private: the browser may keep ranges for an hour (a file changes monthly at most, and
    # a replaced file has a new ETag, which the reader checks); shared caches never.
    return FileResponse(path, media_type=MEDIA_TYPE, stat_result=stat,
                        headers={"Cache-Control": "private, max-age=3600"})
