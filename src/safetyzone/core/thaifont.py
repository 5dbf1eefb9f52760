"""Sarabun's Thai subset, adjusted so a PDF's text comes back as it was written.

HarfBuzz writes SARA AM (ำ) as two glyphs, NIKHAHIT (a mark, merged with a tone mark when
one precedes: น้ำ) and SARA AA, both in one cluster. A PDF maps each glyph to text once per
font, so the SARA AA glyph of ำ and the one of a plain า (หน้า) cannot both read back
right, and the nikhahit glyph reads back as nothing: copying or searching "ตำรวจ" from the
printed sheet failed. The adjusted font ligates the pair again, after the font's own rules,
into one glyph per case: NIKHAHIT + AA into the font's own SARA AM glyph, and each
NIKHAHIT-with-tone mark + AA into a composite of those two glyphs. One glyph per cluster
reads back exactly (``น้ำ`` -> ``น`` + ``้ำ``). The marks then sit where the font draws a
stand-alone ำ rather than on the consonant's anchor: the same place for every consonant
but the narrow ones, where the font's ``.narrow`` marks are ligated alike.

Sarabun is under the SIL Open Font License 1.1, which allows modified versions that are
embedded in documents; the file from npm is never changed, the adjusted copy lives in
memory only.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

# fontTools comes with WeasyPrint and ships no type information.
from fontTools.otlLib.builder import (  # type: ignore[import-untyped]
    buildLigatureSubstSubtable,
    buildLookup,
)
from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

NIKHAHIT = "uni0E4D"
SARA_AA = "uni0E32"
SARA_AM = "uni0E33"
TONES = ("uni0E48", "uni0E49", "uni0E4A", "uni0E4B")
BASE_GLYPH = 1  # GDEF glyph class


def _composite(font: TTFont, parts: tuple[str, ...]) -> object:
    pen = TTGlyphPen(font.getGlyphSet())
    for part in parts:
        pen.addComponent(part, (1, 0, 0, 1, 0, 0))
    return pen.glyph()


@functools.cache
def sara_am_font(path: Path) -> bytes:
    """The font at ``path`` (TrueType or WOFF/WOFF2) with SARA AM kept whole, as TrueType.

    A font without the glyphs this needs (not a Sarabun-like Thai font) is returned
    unchanged, converted to TrueType.
    """
    font = TTFont(str(path))
    order = set(font.getGlyphOrder())
    ligatures: dict[tuple[str, ...], str] = {}
    if {NIKHAHIT, SARA_AA, SARA_AM} <= order and "GSUB" in font and "glyf" in font:
        ligatures[(NIKHAHIT, SARA_AA)] = SARA_AM
        glyf, hmtx = font["glyf"], font["hmtx"]
        advance = hmtx[SARA_AA][0]
        marks = [f"{NIKHAHIT}{tone[3:]}{suffix}" for tone in TONES for suffix in ("", ".narrow")]
        if f"{NIKHAHIT}.narrow" in order:
            marks.append(f"{NIKHAHIT}.narrow")
        for mark in marks:
            if mark not in order:
                continue
            name = f"{mark}_{SARA_AA}.am"
            glyph = _composite(font, (mark, SARA_AA))
            glyf[name] = glyph
            glyph.recalcBounds(glyf)  # type: ignore[attr-defined]
            hmtx[name] = (advance, glyph.xMin)  # type: ignore[attr-defined]
            ligatures[(mark, SARA_AA)] = name
        font.setGlyphOrder(glyf.glyphOrder)
        gdef = font["GDEF"].table if "GDEF" in font else None
        if gdef is not None and gdef.GlyphClassDef is not None:
            for name in ligatures.values():
                gdef.GlyphClassDef.classDefs[name] = BASE_GLYPH
        gsub = font["GSUB"].table
        lookup = buildLookup([buildLigatureSubstSubtable(ligatures)])
        gsub.LookupList.Lookup.append(lookup)
        gsub.LookupList.LookupCount = len(gsub.LookupList.Lookup)
        index = len(gsub.LookupList.Lookup) - 1
        # Last of all lookups, on ccmp (always on): after the font's own decomposition,
        # nikhahit-with-tone ligatures and narrow forms.
        for record in gsub.FeatureList.FeatureRecord:
            if record.FeatureTag == "ccmp" and index not in record.Feature.LookupListIndex:
                record.Feature.LookupListIndex.append(index)
                record.Feature.LookupCount = len(record.Feature.LookupListIndex)
    font.flavor = None
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
