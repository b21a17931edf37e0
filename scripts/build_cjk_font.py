#!/usr/bin/env python3
"""Build the CJK font subset that patrolplan ships in ``src/patrolplan/fonts/``.

Why: on a machine with no CJK font (a fresh ``pip install`` in a container, a Windows box
without the Chinese pack), matplotlib draws Chinese station and hotspot names as empty boxes.
patrolplan prefers a system Noto CJK font and falls back to this subset (see
``patrolplan/plotting/_fonts.py``).

Source: Noto Sans CJK SC Regular (SIL Open Font License 1.1), from Debian's
``fonts-noto-cjk`` (``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc``, face
"Noto Sans CJK SC"), or any OTF/TTF/TTC given with ``--source`` (e.g. a Noto Sans SC file
from a PyPI font package). fontTools (a dependency of matplotlib) does the subsetting; it is
needed only here, at build time.

Characters kept:
    * printable ASCII, Latin-1 punctuation and signs, general punctuation (dashes, bullets,
      ellipsis), arrows, CJK symbols and punctuation, full-width forms;
    * the 3,755 hanzi of GB 2312 level 1 (the common characters);
    * every non-ASCII character of the bundled data (``src/patrolplan/data/**``), the example
      configs (``configs/**``), the tests' data (``tests/data/**``) and the package's source
      (UI strings, legend texts, credits).

The family is renamed "Noto Sans CJK SC Subset" (a Modified Version under the OFL; the
Reserved Font Name "Source" is not used), so it never shadows a full system Noto font.

Run from the repository root::

    python scripts/build_cjk_font.py            # writes src/patrolplan/fonts/
    python scripts/build_cjk_font.py --source /path/NotoSansSC-Regular.otf
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "src" / "patrolplan" / "fonts"
OUT_NAME = "NotoSansCJKsc-Subset.otf"
FAMILY = "Noto Sans CJK SC Subset"
WANTED_FACE = "Noto Sans CJK SC"

DEBIAN_SOURCES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")

#: Unicode blocks kept whole (small, and what labels and UI text use).
RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 signs and letters (°, ×, ·, é ...)
    (0x2010, 0x205E),  # general punctuation: dashes, quotes, bullets, ellipsis
    (0x2190, 0x21FF),  # arrows
    (0x2212, 0x2212),  # minus sign
    (0x2460, 0x2473),  # circled numbers
    (0x25A0, 0x25FF),  # geometric shapes
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF01, 0xFF5E),  # full-width ASCII forms
)

#: Text files whose characters are kept (relative to the repository root).
SCANNED = (
    ("src/patrolplan/data", ("*.csv", "*.geojson", "*.md", "*.json")),
    ("configs", ("*.csv", "*.geojson", "*.yaml", "*.md")),
    ("tests/data", ("*.csv", "*.geojson", "*.yaml")),
    ("src/patrolplan", ("*.py",)),
)


def gb2312_level1() -> set[str]:
    """The 3,755 level-1 hanzi of GB 2312 (rows 16-55, EUC-CN 0xB0A1..0xD7F9)."""
    chars = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes((hi, lo)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            chars.add(ch)
    return chars


def project_characters(root: Path = ROOT) -> set[str]:
    """Every non-ASCII character of the bundled data, configs, test data and source."""
    chars: set[str] = set()
    for folder, patterns in SCANNED:
        base = root / folder
        if not base.is_dir():
            continue
        for pattern in patterns:
            for path in base.rglob(pattern):
                try:
                    text = path.read_text(encoding="utf-8")
                except (UnicodeDecodeError, OSError):
                    continue
                chars |= {c for c in text if ord(c) > 0x7E and c.isprintable()}
    return chars


def wanted_characters(root: Path = ROOT) -> set[str]:
    chars = {chr(c) for lo, hi in RANGES for c in range(lo, hi + 1)}
    return chars | gb2312_level1() | project_characters(root)


def open_source_font(path: Path):
    """The source face: in a collection, the one named WANTED_FACE."""
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() == ".ttc":
        collection = TTCollection(str(path), lazy=False)
        for font in collection.fonts:
            if font["name"].getDebugName(1) == WANTED_FACE:
                return font
        raise SystemExit(f"{path}: no face named {WANTED_FACE!r} in this collection")
    return TTFont(str(path), lazy=False)


def rename(font, family: str) -> None:
    """Set the family, full and PostScript names (a Modified Version under the OFL)."""
    name = font["name"]
    ps = family.replace(" ", "") + "-Regular"
    for record in list(name.names):
        if record.nameID in (1, 16):
            name.setName(family, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (2, 17):
            name.setName("Regular", record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:
            name.setName(f"{ps};patrolplan subset", 3, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 4:
            name.setName(f"{family} Regular", 4, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            name.setName(ps, 6, record.platformID, record.platEncID, record.langID)
    # Names in other languages (e.g. the Chinese "思源黑体"/"Noto Sans CJK SC" localized names)
    # would still name the original family: drop them.
    name.names = [r for r in name.names if not (r.nameID in (1, 4, 16) and r.toUnicode() != family
                                                and not r.toUnicode().startswith(family))]
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps]
        top = cff.topDictIndex[0]
        top.FullName = f"{family} Regular"
        top.FamilyName = family


def subset(source: Path, out: Path, chars: set[str]) -> tuple[int, int]:
    """Write the subset; returns (characters kept, glyphs)."""
    from fontTools import subset as ft_subset

    font = open_source_font(source)
    cmap = font.getBestCmap()
    kept = sorted(c for c in chars if ord(c) in cmap)
    options = ft_subset.Options()
    options.layout_features = ["kern", "liga", "locl", "ccmp", "vert", "vrt2", "fwid", "hwid", "palt"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False  # matplotlib renders at print resolution; saves about a fifth
    options.desubroutinize = False
    sub = ft_subset.Subsetter(options=options)
    sub.populate(unicodes=[ord(c) for c in kept])
    sub.subset(font)
    rename(font, FAMILY)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    font.save(str(tmp))
    tmp.replace(out)
    return len(kept), len(font.getGlyphOrder())


def licence_text(source_font_copyright: str) -> str:
    """The OFL 1.1 text with the font's copyright line, from Debian's copyright file."""
    header = (
        f"{FAMILY} (file {OUT_NAME}) is a subset of Noto Sans CJK SC Regular, made by\n"
        "patrolplan's scripts/build_cjk_font.py with fontTools' subsetter (a Modified Version\n"
        "under the licence below; renamed, the Reserved Font Name 'Source' is not used).\n\n"
        f"{source_font_copyright}, with Reserved Font Name 'Source'.\n\n"
    )
    ofl = ""
    if DEBIAN_COPYRIGHT.is_file():
        lines = DEBIAN_COPYRIGHT.read_text(encoding="utf-8").splitlines()
        try:
            start = next(i for i, line in enumerate(lines) if line.startswith("License: SIL-1.1")
                         and i + 1 < len(lines) and lines[i + 1].startswith(" "))
        except StopIteration:
            start = None
        if start is not None:
            body = []
            for line in lines[start + 1:]:
                if line and not line.startswith(" "):
                    break
                text = line[1:] if line.startswith(" ") else line
                body.append("" if text == "." else text)
            ofl = "\n".join(body).strip() + "\n"
    if not ofl:
        raise SystemExit("no OFL text found (install fonts-noto-cjk, which carries it in "
                         f"{DEBIAN_COPYRIGHT})")
    return header + ofl


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="OTF/TTF/TTC holding Noto Sans CJK SC "
                        "(default: Debian fonts-noto-cjk)")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help=f"where to write (default {OUT_DIR})")
    args = parser.parse_args(argv)
    source = args.source
    if source is None:
        source = next((Path(p) for p in DEBIAN_SOURCES if Path(p).is_file()), None)
        if source is None:
            print("no source font: apt-get install fonts-noto-cjk, or give --source", file=sys.stderr)
            return 2
    chars = wanted_characters()
    out = args.out_dir / OUT_NAME
    n_chars, n_glyphs = subset(source, out, chars)
    copyright_line = open_source_font(source)["name"].getDebugName(0) or "© 2014-2021 Adobe"
    (args.out_dir / "OFL.txt").write_text(licence_text(copyright_line.rstrip(".")), encoding="utf-8")
    print(f"{out}: {n_chars} characters, {n_glyphs} glyphs, {out.stat().st_size / 1e6:.2f} MB "
          f"(from {source})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
