"""Find a CJK font for Chinese names, register it with matplotlib, fall back cleanly.

Nothing global is changed: plot functions pass :func:`font_family` to each text they draw
(``fontfamily=...``), so a caller's rcParams stay as they were.

Search order
    1. the file named by the environment variable ``PATROLPLAN_CJK_FONT``;
    2. a system CJK font: well-known files (Debian/Ubuntu ``fonts-noto-cjk``, ``fonts-wqy-*``,
       macOS, Windows) and any font matplotlib already knows whose family is a known CJK
       family, Noto Sans CJK SC first;
    3. the subset shipped in ``patrolplan/fonts/`` ("Noto Sans CJK SC Subset": GB 2312 level 1
       and every character of the bundled data, built by ``scripts/build_cjk_font.py``), so
       Chinese renders after ``pip install`` alone.

A name with a character the chosen font lacks (a rare hanzi outside the shipped subset), or
any Chinese name when no font is found at all, falls back to its ASCII id, and a single
:class:`UserWarning` says how to install a font (``apt-get install fonts-noto-cjk``).
"""

from __future__ import annotations

import functools
import os
import warnings
from importlib import resources
from pathlib import Path

from matplotlib import font_manager

__all__ = [
    "bold", "cjk_family", "cjk_font_path", "font_family", "has_cjk", "can_draw", "label", "reset_font_cache",
    "shipped_font_path", "NO_CJK_FONT_WARNING", "SHIPPED_FAMILY",
]

_KNOWN_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
# Bold faces registered beside the regular ones (sheet headings).
_BOLD_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Bold.ttc",
)

# Family names preferred in this order (Simplified Chinese faces first).
_KNOWN_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
    "Arial Unicode MS",
)

#: Family name of the subset shipped in ``patrolplan/fonts/``.
SHIPPED_FAMILY = "Noto Sans CJK SC Subset"
_SHIPPED_FILE = "NotoSansCJKsc-Subset.otf"

NO_CJK_FONT_WARNING = (
    "patrolplan: no CJK font found, so Chinese names are drawn as their ASCII ids. "
    "Install one (Debian/Ubuntu: apt-get install fonts-noto-cjk) or point the environment "
    "variable PATROLPLAN_CJK_FONT at a .ttf/.otf/.ttc file."
)
_MISSING_GLYPH_WARNING = (
    "patrolplan: the CJK font in use ({family}) lacks some characters of a name, so that name "
    "is drawn as its ASCII id. Install a full CJK font (Debian/Ubuntu: apt-get install "
    "fonts-noto-cjk) or point PATROLPLAN_CJK_FONT at one."
)

_warned = False


def shipped_font_path() -> Path:
    """The font file shipped with patrolplan (it may be absent in a stripped build)."""
    return Path(str(resources.files("patrolplan") / "fonts" / _SHIPPED_FILE))


def _system_font_files() -> list[Path]:
    """Well-known system CJK font files that exist here (a seam for tests)."""
    return [p for p in map(Path, _KNOWN_FILES + _BOLD_FILES) if p.is_file()]


def _registered_fonts() -> list[tuple[str, str]]:
    """``(family, file)`` of every font matplotlib knows (a seam for tests)."""
    return [(f.name, f.fname) for f in font_manager.fontManager.ttflist]


def _register(path: Path) -> str | None:
    """Add a font file to matplotlib's font manager; its family name, or None if unreadable."""
    try:
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()
    except Exception:  # unreadable font file: try the next one
        return None


@functools.lru_cache(maxsize=1)
def _chosen() -> tuple[str, str] | None:
    """``(family, file)`` of the CJK font in use, registered with matplotlib, or None."""
    env = os.environ.get("PATROLPLAN_CJK_FONT")
    if env and Path(env).is_file():
        family = _register(Path(env))
        if family:
            return family, env
    for path in _system_font_files():
        _register(path)
    known: dict[str, str] = {}
    for family, fname in _registered_fonts():
        if family in _KNOWN_FAMILIES:
            known.setdefault(family, fname)
    for family in _KNOWN_FAMILIES:
        if family in known:
            return family, known[family]
    shipped = shipped_font_path()
    if shipped.is_file():
        family = _register(shipped)
        if family:
            return family, str(shipped)
    return None


def cjk_family() -> str | None:
    """The family name of a usable CJK font (registered with matplotlib), or None."""
    chosen = _chosen()
    return chosen[0] if chosen else None


def cjk_font_path() -> str | None:
    """The file of the CJK font in use, or None."""
    chosen = _chosen()
    return chosen[1] if chosen else None


@functools.lru_cache(maxsize=8)
def _charset(path: str) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    try:
        return frozenset(FT2Font(path).get_charmap())
    except Exception:  # unreadable: assume it covers what it claims to be for
        return frozenset()


def reset_font_cache() -> None:
    """Forget the font found (and the warning given), e.g. after installing a font."""
    global _warned
    _chosen.cache_clear()
    _charset.cache_clear()
    _warned = False


def has_cjk() -> bool:
    return cjk_family() is not None


def can_draw(text: str) -> bool:
    """Whether every character of ``text`` can be drawn (ASCII always; others need the font)."""
    if text.isascii():
        return True
    if cjk_family() is None:
        return False
    path = cjk_font_path()
    chars = _charset(path) if path else frozenset()
    if not chars:
        return True
    return all(ord(c) in chars or ord(c) < 0x250 for c in text if not c.isspace())


def bold() -> str:
    """``"bold"`` when the CJK font in use has a bold face registered, else ``"normal"`` (the
    shipped subset is regular only; asking for bold would only log a warning)."""
    fam = cjk_family()
    if fam is None:
        return "bold"
    weights = [f.weight for f in font_manager.fontManager.ttflist if f.name == fam]
    return "bold" if any(w in ("bold", "heavy", "black", "extra bold", "semibold", "demibold") or
                         (isinstance(w, int) and w >= 600) for w in weights) else "normal"


def font_family() -> list[str]:
    """A family list for ``fontfamily=``: the CJK font first, matplotlib's default as fallback."""
    fam = cjk_family()
    return [fam, "DejaVu Sans"] if fam else ["DejaVu Sans"]


def _warn_once(message: str = NO_CJK_FONT_WARNING) -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(message, UserWarning, stacklevel=3)


def label(name: object, fallback: object) -> str:
    """``name`` when it can be drawn, else ``fallback`` (an ASCII id), warning once.

    A name that is pure ASCII is always drawable; a name with CJK characters needs a font
    that has every one of them.
    """
    text = "" if name is None else str(name)
    if text in ("", "nan", "None"):
        return str(fallback)
    if text.isascii():
        return text
    family = cjk_family()
    if family is None:
        _warn_once()
        return str(fallback)
    if can_draw(text):
        return text
    _warn_once(_MISSING_GLYPH_WARNING.format(family=family))
    return str(fallback)
