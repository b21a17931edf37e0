"""Helpers of the adversarial round (issue 21 part 4): run the CLI in process or as a
subprocess, hash folders, and assert the bad-input promise (exit 2, a message naming file,
row/id and column, never a traceback, nothing lost)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from patrolplan.cli import main

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "configs"
SRC = REPO / "src"
PY = sys.executable
QUICK = ["--time-limit", "8", "--no-pictures", "--quiet"]


def run(capsys, *argv) -> tuple[object, str, str]:
    """``patrolplan.cli.main(argv)``: (exit code, stdout, stderr). An exception that escapes
    ``main`` is a traceback for the user: it comes back as the code ``'raised <Type>: msg'``."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as err:  # argparse
        code = err.code
    except BaseException as err:  # noqa: BLE001 — this is what the suite looks for
        code = f"raised {type(err).__name__}: {err}"
    out, err_text = capsys.readouterr()
    return code, out, err_text


def tail(text: str, n: int = 600) -> str:
    return text.strip()[-n:]


def refused(res, *needles: str, codes=(2,)) -> None:
    """The promise for a bad input: exit 2 (or ``codes``), no traceback, and a message that
    names each of ``needles`` (file, row/id, column; case-insensitive)."""
    code, out, err = res
    text = out + err
    assert "Traceback" not in text, f"traceback: {tail(text)}"
    assert code in codes, f"exit {code!r}, wanted {codes}: {tail(text)}"
    low = text.lower()
    missing = [n for n in needles if n.lower() not in low]
    assert not missing, f"message lacks {missing}: {tail(text)}"


def accepted(res, codes=(0,)) -> None:
    code, out, err = res
    text = out + err
    assert "Traceback" not in text, f"traceback: {tail(text)}"
    assert code in codes, f"exit {code!r}, wanted {codes}: {tail(text)}"


def digest(path: Path) -> dict[str, str]:
    """Name -> sha256 of every file below ``path`` (symlinks by their target text)."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return {}
    if path.is_file():
        return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()}
    out = {}
    for p in sorted(path.rglob("*")):
        rel = str(p.relative_to(path))
        if p.is_symlink():
            out[rel] = "->" + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[rel] = "dir"
    return out


def copy_configs(dst: Path) -> Path:
    shutil.copytree(CONFIGS, dst)
    return dst


def copy_run(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


def set_yaml(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(SRC) + os.pathsep + e.get("PYTHONPATH", "")
    e["PYTHONUNBUFFERED"] = "1"
    return e


def popen(*argv, **kw) -> subprocess.Popen:
    return subprocess.Popen([PY, "-m", "patrolplan.cli", *[str(a) for a in argv]], env=env(),
                            stdout=kw.pop("stdout", subprocess.PIPE), stderr=subprocess.PIPE,
                            text=True, start_new_session=True, **kw)


class Solved:
    """The session's solved weeks (copy them per case; never write into them)."""

    def __init__(self, base: Path):
        self.base = base
        self.cfg = base / "configs"
        self.ex = base / "runs" / "ex"          # configs/example.yaml
        self.vis = base / "runs" / "vis"        # configs/example-visits.yaml
        self.nxt = base / "runs" / "nxt"        # configs/example-next.yaml --previous ex
        self.model = base / "model" / "m.mps"   # --write-model of example.yaml (and m.json)


def _solve_session(base: Path) -> Solved:
    s = Solved(base)
    copy_configs(s.cfg)
    for argv in (
        ["solve", s.cfg / "example.yaml", "--out", s.ex, *QUICK],
        ["solve", s.cfg / "example-visits.yaml", "--out", s.vis, *QUICK],
        ["solve", s.cfg / "example-next.yaml", "--previous", s.ex, "--out", s.nxt, *QUICK],
    ):
        code = main([str(a) for a in argv])
        assert code == 0, (argv, code)
    s.model.parent.mkdir()
    assert main(["solve", str(s.cfg / "example.yaml"), "--write-model", str(s.model)]) == 0
    return s


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def solved(tmp_path_factory) -> Solved:
    return _solve_session(tmp_path_factory.mktemp("adv-session"))
