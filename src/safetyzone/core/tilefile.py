"""Whether a file is a street map the console can draw: a PMTiles v3 archive of vector tiles
in the Protomaps basemap's layers, or of raster pictures (``SSZ_TILES_FILE``, checked when the
settings are built so that a wrong file stops the start instead of a blank map on shift).

Only the fixed header and the metadata are read, never the tiles (a country is ~1 GB).
Layout: https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

# The tile types the console can draw (PMTiles v3 header byte 99): 1 MVT is drawn by
# protomaps-leaflet, 2 PNG, 3 JPEG and 4 WebP by the pmtiles reader's raster layer.
PMTILES_TILE_TYPES = {1: "mvt", 2: "png", 3: "jpeg", 4: "webp"}
PMTILES_HEADER_BYTES = 127


def pmtiles_problem(path: Path) -> str | None:
    """Why ``path`` is not a tile file the console can draw, or None when it is.

    The fixed 127-byte header refuses a missing file, a directory, an MBTiles file given by
    mistake, an older PMTiles version or a tile type nothing draws; the metadata, vector
    tiles of another schema.
    """
    try:
        with path.open("rb") as file:
            header = file.read(PMTILES_HEADER_BYTES)
    except FileNotFoundError:
        return "no such file"
    except IsADirectoryError:
        return "a directory, not a file"
    except OSError as err:
        return f"cannot be read ({err.strerror or err})"
    if header.startswith(b"SQLite format 3"):
        return ("an MBTiles (SQLite) file: convert it once with `pmtiles convert in.mbtiles "
                "out.pmtiles`")
    if len(header) < PMTILES_HEADER_BYTES or not header.startswith(b"PMTiles"):
        return "not a PMTiles file"
    if header[7] != 3:
        return f"PMTiles version {header[7]}: version 3 is needed (`pmtiles convert`)"
    if header[99] not in PMTILES_TILE_TYPES:
        return (f"tile type {header[99]} cannot be drawn (vector MVT, or raster PNG, JPEG or "
                "WebP)")
    if PMTILES_TILE_TYPES[header[99]] == "mvt":
        return _vector_schema_problem(path, header)
    return None


def _vector_schema_problem(path: Path, header: bytes) -> str | None:
    """Vector tiles in another schema (OpenMapTiles' ``transportation``, Shortbread's
    ``streets``) would load without error and draw only a blank background: the console's
    theme draws the Protomaps basemap layers. Their metadata names the layers; a file whose
    metadata does not is let through."""
    offset = int.from_bytes(header[24:32], "little")
    length = int.from_bytes(header[32:40], "little")
    compression = header[97]  # 1 none, 2 gzip; others are not read here
    if length == 0 or length > 16 * 1024 * 1024 or compression not in (1, 2):
        return None
    try:
        with path.open("rb") as file:
            file.seek(offset)
            raw = file.read(length)
        metadata = json.loads(gzip.decompress(raw) if compression == 2 else raw)
    except (OSError, ValueError, EOFError) as err:
        return f"its metadata cannot be read ({err})"
    layers = metadata.get("vector_layers") if isinstance(metadata, dict) else None
    if not isinstance(layers, list):
        return None
    names = [str(layer.get("id")) for layer in layers if isinstance(layer, dict)]
    if "roads" in names:
        return None
    return (f"vector tiles with the layers {', '.join(names[:8]) or '(none)'}: the console "
            "draws the Protomaps basemap's layers (roads, earth, water ...); cut the file from "
            "a Protomaps build or build it with the Protomaps basemap profile")
