"""Find a CJK font for Chinese names, register it with matplotlib, fall back cleanly.

Nothing global is changed: plot functions pass :func:`font_family` to each text they draw
(``fontfamily=...``), so a caller's rcParams stay as they were.

Search order
    1. the file named by the environment variable ``PATROLPLAN_CJK_FONT``;
    2. fonts shipped in ``patrolplan/fonts/`` (if any);
    3. well-known files (Debian/Ubuntu ``fonts-noto-cjk``, ``fonts-wqy-*``, macOS, Windows);
    4. any font matplotlib already knows whose family is a known CJK family.

Without one, labels fall back to ASCII ids and a single :class:`UserWarning` says how to
install a font (``apt-get install fonts-noto-cjk``).
"""

from __future__ import annotations

import functools
import os
import warnings
from pathlib import Path

from matplotlib import font_manager

__all__ = ["cjk_family", "font_family", "has_cjk", "label", "reset_font_cache", "NO_CJK_FONT_WARNING"]

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

NO_CJK_FONT_WARNING = (
    "patrolplan: no CJK font found, so Chinese names are drawn as their ASCII ids. "
    "Install one (Debian/Ubuntu: apt-get install fonts-noto-cjk) or point the environment "
    "variable PATROLPLAN_CJK_FONT at a .ttf/.otf/.ttc file."
)

_warned = False


def _candidate_files() -> list[Path]:
    files: list[Path] = []
    env = os.environ.get("PATROLPLAN_CJK_FONT")
    if env:
        files.append(Path(env))
    shipped = Path(__file__).resolve().parent.parent / "fonts"
    if shipped.is_dir():
        files += sorted(p for p in shipped.iterdir() if p.suffix.lower() in {".ttf", ".otf", ".ttc"})
    files += [Path(p) for p in _KNOWN_FILES]
    return files


@functools.lru_cache(maxsize=1)
def cjk_family() -> str | None:
    """The family name of a usable CJK font (registered with matplotlib), or None."""
    for path in _candidate_files():
        if not path.is_file():
            continue
        try:
            font_manager.fontManager.addfont(str(path))
        except Exception:  # unreadable font file: try the next one
            continue
    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in _KNOWN_FAMILIES:
        if family in known:
            return family
    # A font given by PATROLPLAN_CJK_FONT with a family we do not know by name.
    env = os.environ.get("PATROLPLAN_CJK_FONT")
    if env and Path(env).is_file():
        try:
            return font_manager.FontProperties(fname=env).get_name()
        except Exception:
            return None
    return None


def reset_font_cache() -> None:
    """Forget the font found (and the warning given), e.g. after installing a font."""
    global _warned
    cjk_family.cache_clear()
    _warned = False


def has_cjk() -> bool:
    return cjk_family() is not None


def font_family() -> list[str]:
    """A family list for ``fontfamily=``: the CJK font first, matplotlib's default as fallback."""
    fam = cjk_family()
    return [fam, "DejaVu Sans"] if fam else ["DejaVu Sans"]


def _warn_once() -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(NO_CJK_FONT_WARNING, UserWarning, stacklevel=3)


def label(name: object, fallback: object) -> str:
    """``name`` when it can be drawn, else ``fallback`` (an ASCII id), warning once.

    A name that is pure ASCII is always drawable; a name with CJK characters needs the font.
    """
    text = "" if name is None else str(name)
    if text in ("", "nan", "None"):
        return str(fallback)
    if text.isascii() or has_cjk():
        return text
    _warn_once()
    return str(fallback)
