"""How patrolplan decodes a CSV a planner gave: one function, for the inputs, the cost matrix,
the counts file and the checker's roster alike (a module of its own so that ``check/`` can use
it without the readers of ``io.py``)."""

from __future__ import annotations

from pathlib import Path

from patrolplan.errors import DataError

__all__ = ["csv_encoding"]

_ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (with or without Excel's BOM), then GBK's superset


def csv_encoding(path: str | Path, *, source: str | None = None) -> str:
    """The encoding to read ``path`` with: UTF-8 (a byte-order mark allowed, as Excel's 'CSV
    UTF-8' writes it), UTF-16 with its mark (Excel's 'Unicode Text'), else GB18030 (a superset
    of GBK/GB2312, what Excel and WPS write for 'CSV' on a Chinese Windows). Raises
    :class:`DataError` when none of them decodes the whole file (naming it as ``source``,
    default the path)."""
    import codecs

    path = Path(path)
    source = source or str(path)
    try:
        with open(path, "rb") as f:
            if f.read(2) in (b"\xff\xfe", b"\xfe\xff"):
                return "utf-16"
            for encoding in _ENCODINGS:  # decoded in pieces: a large matrix is never held twice
                f.seek(0)
                decoder = codecs.getincrementaldecoder(encoding)()
                try:
                    while chunk := f.read(1 << 20):
                        decoder.decode(chunk)
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    continue
                return encoding
    except OSError as err:
        raise DataError(f"{source}: cannot be read ({err.strerror}) — check the path and its "
                        "permissions") from None
    raise DataError(f"{source}: not UTF-8 text (nor GBK/GB18030) — save it as UTF-8 (Excel: Save "
                    "As > 'CSV UTF-8'; WPS/LibreOffice: choose the UTF-8 character set)")
