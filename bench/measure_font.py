"""Write components/card_font.json: advance widths of the card fonts, read from the TTF files.

Run once (``python bench/measure_font.py``) when the card font changes; the JSON is
committed, so neither the server nor the browser measures text at run time. The widths
are the fonts' advance widths in thousandths of an em, rounded to integers, without
kerning (kerning only narrows Latin text, so the estimate stays on the safe side).
Needs no third-party package: it reads the ``head``, ``hhea``, ``hmtx`` and ``cmap``
(format 4) tables itself.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

FONTS = {
    "regular": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
}
OUT = Path(__file__).resolve().parent.parent / "components" / "card_font.json"
# Printable ASCII, Latin-1, Latin Extended-A and the common typographic punctuation.
CODEPOINTS = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    *(0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x20AC, 0x2192, 0x2190),
]


def _tables(data: bytes) -> dict[str, tuple[int, int]]:
    count = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
        tables[tag.decode("ascii")] = (offset, length)
    return tables


def _cmap(data: bytes, offset: int) -> dict[int, int]:
    """Code point -> glyph index from the Windows Unicode BMP (3, 1) format 4 subtable."""
    count = struct.unpack(">H", data[offset + 2 : offset + 4])[0]
    for i in range(count):
        platform, encoding, sub = struct.unpack(
            ">HHI", data[offset + 4 + 8 * i : offset + 12 + 8 * i]
        )
        if (platform, encoding) == (3, 1):
            break
    else:
        raise SystemExit("no (3, 1) cmap subtable")
    base = offset + sub
    if struct.unpack(">H", data[base : base + 2])[0] != 4:
        raise SystemExit("cmap subtable is not format 4")
    segs = struct.unpack(">H", data[base + 6 : base + 8])[0] // 2
    ends = struct.unpack(f">{segs}H", data[base + 14 : base + 14 + 2 * segs])
    starts_at = base + 16 + 2 * segs
    starts = struct.unpack(f">{segs}H", data[starts_at : starts_at + 2 * segs])
    deltas = struct.unpack(f">{segs}h", data[starts_at + 2 * segs : starts_at + 4 * segs])
    ranges_at = starts_at + 4 * segs
    offsets = struct.unpack(f">{segs}H", data[ranges_at : ranges_at + 2 * segs])
    mapping = {}
    for code in CODEPOINTS:
        for k in range(segs):
            if starts[k] <= code <= ends[k]:
                if offsets[k] == 0:
                    glyph = (code + deltas[k]) & 0xFFFF
                else:
                    at = ranges_at + 2 * k + offsets[k] + 2 * (code - starts[k])
                    glyph = struct.unpack(">H", data[at : at + 2])[0]
                    glyph = (glyph + deltas[k]) & 0xFFFF if glyph else 0
                if glyph:
                    mapping[code] = glyph
                break
    return mapping


def advances(path: str) -> dict[str, int]:
    """Advance widths in 1/1000 em, by character, for CODEPOINTS the font has."""
    data = Path(path).read_bytes()
    tables = _tables(data)
    head = tables["head"][0]
    units = struct.unpack(">H", data[head + 18 : head + 20])[0]
    hhea = tables["hhea"][0]
    metrics = struct.unpack(">H", data[hhea + 34 : hhea + 36])[0]
    hmtx = tables["hmtx"][0]

    def advance(glyph: int) -> int:
        index = min(glyph, metrics - 1)
        return struct.unpack(">H", data[hmtx + 4 * index : hmtx + 4 * index + 2])[0]

    mapping = _cmap(data, tables["cmap"][0])
    return {chr(c): round(advance(g) * 1000 / units) for c, g in sorted(mapping.items())}


def main() -> None:
    result = {
        "source": "DejaVu Sans 2.37 (Book and Bold) advance widths, 1/1000 em, no kerning",
        "widths": {style: advances(path) for style, path in FONTS.items()},
    }
    widths = ",\n".join(
        f"{json.dumps(style)}: {json.dumps(table, ensure_ascii=False, separators=(',', ':'))}"
        for style, table in sorted(result["widths"].items())
    )
    OUT.write_text(
        f'{{\n"source": {json.dumps(result["source"])},\n"widths": {{\n{widths}\n}}\n}}\n'
    )
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
