"""The street map file (``SSZ_TILES_FILE``): refused at start unless it is a PMTiles v3 file
the console can draw, and served to logged-in users by byte range, the way the PMTiles
reader in the browser asks for it (web/routes/basemap.py)."""

from __future__ import annotations

import gzip
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from pmtiles.reader import Reader
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer
from pydantic import ValidationError
from typer.testing import CliRunner

from conftest import SECRET
from safetyzone.cli import app as cli
from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.web.app import create_app
from support.basemap import StreetMap, tile_of, write_street_map
from support.world import World

URL = "/api/v1/basemap.pmtiles"
PHASI_CHAROEN = (13.7322, 100.4655)


@pytest.fixture(scope="module")
def street_map(tmp_path_factory: pytest.TempPathFactory) -> StreetMap:
    folder = tmp_path_factory.mktemp("basemap")
    return write_street_map(folder / "streets.pmtiles", lat=PHASI_CHAROEN[0],
                            lon=PHASI_CHAROEN[1])


@pytest.fixture
def served(db: Database, tmp_path: Path, street_map: StreetMap, world: World
           ) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(environment="test", data_dir=tmp_path, secret_key=SECRET,
                        tiles_file=street_map.path)
    with TestClient(create_app(settings, db)) as client:
        yield client, world.headers(client, "a.viewer")


# --- settings: a file the console cannot draw stops the start --------------------------

def _refused(path: Path) -> str:
    with pytest.raises(ValidationError) as caught:
        Settings(environment="test", secret_key=SECRET, tiles_file=path)
    return str(caught.value)


def test_a_missing_file_is_refused_with_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "thailand.pmtiles"
    message = _refused(missing)
    assert f"{missing}: no such file" in message
    assert "offline-maps.md" in message


def test_a_directory_an_mbtiles_file_and_other_bytes_are_refused(tmp_path: Path) -> None:
    assert "a directory, not a file" in _refused(tmp_path)
    mbtiles = tmp_path / "thailand.mbtiles"
    with sqlite3.connect(mbtiles) as conn:
        conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    assert "pmtiles convert" in _refused(mbtiles)
    text = tmp_path / "notes.pmtiles"
    text.write_text("streets of Bangkok\n" * 20)
    assert "not a PMTiles file" in _refused(text)
    short = tmp_path / "short.pmtiles"
    short.write_bytes(b"PMTiles\x03")
    assert "not a PMTiles file" in _refused(short)


def test_an_older_version_or_an_undrawable_tile_type_is_refused(
    tmp_path: Path, street_map: StreetMap,
) -> None:
    good = street_map.path.read_bytes()
    old = tmp_path / "v2.pmtiles"
    old.write_bytes(good[:7] + b"\x02" + good[8:])
    assert "PMTiles version 2: version 3 is needed" in _refused(old)
    unknown = tmp_path / "unknown.pmtiles"
    unknown.write_bytes(good[:99] + b"\x00" + good[100:])
    assert "tile type 0 cannot be drawn" in _refused(unknown)


def test_vector_tiles_of_another_schema_are_refused(tmp_path: Path) -> None:
    """An OpenMapTiles file (tilemaker's and planetiler's default) would load and draw
    nothing: refused, naming its layers."""
    other = tmp_path / "openmaptiles.pmtiles"
    with other.open("wb") as out:
        writer = Writer(out)
        writer.write_tile(zxy_to_tileid(0, 0, 0), gzip.compress(mapbox_vector_tile.encode(
            [{"name": "transportation", "features": []}])))
        writer.finalize({"tile_type": TileType.MVT, "tile_compression": Compression.GZIP},
                        {"vector_layers": [{"id": "transportation"}, {"id": "water"}]})
    message = _refused(other)
    assert "vector tiles with the layers transportation, water" in message
    assert "Protomaps basemap" in message


def test_ssz_serve_says_which_setting_and_why(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pmtiles"
    result = CliRunner().invoke(cli, ["serve", "--data-dir", str(tmp_path)],
                                env={"SSZ_TILES_FILE": str(missing)})
    assert result.exit_code == 2
    assert f"cannot start: SSZ_TILES_FILE: Value error, {missing}: no such file" in result.output


def test_a_good_file_is_accepted_and_kept_as_an_absolute_path(
    street_map: StreetMap, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(street_map.path.parent)
    settings = Settings(environment="test", secret_key=SECRET,
                        tiles_file=Path(street_map.path.name))
    assert settings.tiles_file == street_map.path.resolve()


# --- the route: ranges as the PMTiles reader asks for them -------------------------------

def test_the_reader_opens_the_file_through_the_route(
    served: tuple[TestClient, dict[str, str]], street_map: StreetMap,
) -> None:
    """What the browser's reader does, in Python: header and root, then a tile's bytes."""
    client, headers = served

    def get_bytes(offset: int, length: int) -> bytes:
        answer = client.get(URL, headers={**headers,
                                          "Range": f"bytes={offset}-{offset + length - 1}"})
        assert answer.status_code == 206, answer.text
        return answer.content

    reader = Reader(get_bytes)
    assert reader.header()["max_zoom"] == 15
    x, y = tile_of(PHASI_CHAROEN[1], PHASI_CHAROEN[0], 15)
    tile = mapbox_vector_tile.decode(gzip.decompress(reader.get(15, x, y)))
    assert {f["properties"]["kind"] for f in tile["roads"]["features"]} >= {
        "major_road", "minor_road", "highway"}


def test_a_single_range_answers_206_with_those_bytes(
    served: tuple[TestClient, dict[str, str]], street_map: StreetMap,
) -> None:
    client, headers = served
    data = street_map.path.read_bytes()
    answer = client.get(URL, headers={**headers, "Range": "bytes=100-299",
                                      "Accept-Encoding": "gzip"})
    assert answer.status_code == 206
    assert answer.content == data[100:300]
    assert answer.headers["content-range"] == f"bytes 100-299/{len(data)}"
    assert answer.headers["content-length"] == "200"
    assert "content-encoding" not in answer.headers
    assert answer.headers["cache-control"] == "private, max-age=3600"
    assert answer.headers["content-type"] == "application/vnd.pmtiles"


def test_the_first_read_past_a_small_file_gets_what_there_is(
    served: tuple[TestClient, dict[str, str]], street_map: StreetMap,
) -> None:
    """The reader's first read is 16 KiB; a smaller file answers all of itself."""
    client, headers = served
    data = street_map.path.read_bytes()
    assert len(data) < 16384
    answer = client.get(URL, headers={**headers, "Range": "bytes=0-16383"})
    assert answer.status_code == 206
    assert answer.content == data
    assert answer.headers["content-range"] == f"bytes 0-{len(data) - 1}/{len(data)}"


def test_a_suffix_range_answers_the_last_bytes(
    served: tuple[TestClient, dict[str, str]], street_map: StreetMap,
) -> None:
    client, headers = served
    data = street_map.path.read_bytes()
    answer = client.get(URL, headers={**headers, "Range": "bytes=-50"})
    assert answer.status_code == 206
    assert answer.content == data[-50:]
    assert answer.headers["content-range"] == f"bytes {len(data) - 50}-{len(data) - 1}/{len(data)}"


def test_a_range_past_the_end_answers_416_with_the_size(
    served: tuple[TestClient, dict[str, str]], street_map: StreetMap,
) -> None:
    client, headers = served
    size = street_map.path.stat().st_size
    answer = client.get(URL, headers={**headers, "Range": f"bytes={size}-{size + 10}"})
    assert answer.status_code == 416
    assert answer.headers["content-range"] == f"bytes */{size}"


def test_a_malformed_range_is_refused(served: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = served
    for bad in ("bytes=20-10", "lines=0-10", "bytes"):
        assert client.get(URL, headers={**headers, "Range": bad}).status_code == 400, bad


def test_no_range_answers_the_whole_file_uncompressed(
    served: tuple[TestClient, dict[str, str]], street_map: StreetMap,
) -> None:
    client, headers = served
    data = street_map.path.read_bytes()
    answer = client.get(URL, headers={**headers, "Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.content == data
    assert answer.headers["accept-ranges"] == "bytes"
    assert answer.headers["content-length"] == str(len(data))
    assert "content-encoding" not in answer.headers  # tiles are compressed already


def test_head_answers_the_headers_only(
    served: tuple[TestClient, dict[str, str]], street_map: StreetMap,
) -> None:
    client, headers = served
    size = street_map.path.stat().st_size
    whole = client.head(URL, headers=headers)
    assert whole.status_code == 200
    assert whole.headers["content-length"] == str(size)
    assert whole.content == b""
    part = client.head(URL, headers={**headers, "Range": "bytes=0-9"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 0-9/{size}"
    assert part.content == b""


def test_an_etag_if_range_gets_the_range_a_stale_one_the_whole_file(
    served: tuple[TestClient, dict[str, str]], street_map: StreetMap,
) -> None:
    """A file replaced between two reads is answered whole, never as mixed ranges."""
    client, headers = served
    etag = client.head(URL, headers=headers).headers["etag"]
    same = client.get(URL, headers={**headers, "Range": "bytes=0-9", "If-Range": etag})
    assert same.status_code == 206
    stale = client.get(URL, headers={**headers, "Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale.status_code == 200
    assert len(stale.content) == street_map.path.stat().st_size


def test_without_a_login_nothing_is_served(served: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = served
    for method in ("GET", "HEAD"):
        answer = client.request(method, URL, headers={"Range": "bytes=0-16383"})
        assert answer.status_code == 401
    assert client.get(URL, headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_a_server_without_a_file_says_so(client: TestClient, world: World) -> None:
    answer = client.get(URL, headers=world.headers(client, "a.viewer"))
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert "SSZ_TILES_FILE" in answer.json()["detail"]


def test_a_file_gone_since_the_start_is_a_404_not_a_500(
    db: Database, tmp_path: Path, street_map: StreetMap, world: World,
) -> None:
    copy = tmp_path / "copy.pmtiles"
    copy.write_bytes(street_map.path.read_bytes())
    settings = Settings(environment="test", data_dir=tmp_path, secret_key=SECRET,
                        tiles_file=copy)
    with TestClient(create_app(settings, db)) as client:
        headers = world.headers(client, "a.viewer")
        assert client.get(URL, headers={**headers, "Range": "bytes=0-9"}).status_code == 206
        copy.unlink()
        answer = client.get(URL, headers={**headers, "Range": "bytes=0-9"})
        assert answer.status_code == 404
        assert "no longer readable" in answer.json()["detail"]


def test_the_console_page_names_the_route_only_when_a_file_is_set(
    served: tuple[TestClient, dict[str, str]], client: TestClient,
) -> None:
    with_file, _ = served
    assert f'data-basemap-url="{URL}"' in with_file.get("/console").text
    assert 'data-basemap-url=""' in client.get("/console").text
