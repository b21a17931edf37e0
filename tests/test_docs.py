"""The README stays short and true, and the reference under docs/ builds and matches the CLI.

The README is what a newcomer reads first: at most 20 kB, opening with the two set-up commands
(the demo, then the test command `.ci/run` runs). The reference is a mkdocs site built here
with ``--strict``, so a broken link, a missing anchor or a page left out of the nav fails the
suite. Every ``patrolplan COMMAND`` of the parser has its section in docs/commands.md (written
from the parser by scripts/docs_commands.py), and every command line the README and the docs
show names a command and options the parser knows.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = REPO / "docs"


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    from patrolplan.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _options(p: argparse.ArgumentParser) -> set[str]:
    return {o for a in p._actions for o in a.option_strings}


def _docs_commands():
    spec = importlib.util.spec_from_file_location("docs_commands", REPO / "scripts" / "docs_commands.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def test_mkdocs_builds_strict(tmp_path):
    assert importlib.util.find_spec("mkdocs") is not None, "mkdocs is missing: pip install -e '.[test]'"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(REPO / "mkdocs.yml"),
         "--site-dir", str(tmp_path / "site")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "index.html").exists()
    built = {p.parent.name for p in (tmp_path / "site").rglob("index.html")}
    for page in _pages():
        assert page.stem == "index" or page.stem in built, f"docs/{page.name} was not built"


def test_every_docs_page_is_in_the_nav():
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    missing = [p.name for p in _pages() if not re.search(rf":\s*{re.escape(p.name)}\s*$", nav, re.M)]
    assert missing == [], f"mkdocs.yml's nav lacks {missing}"


def test_readme_is_short():
    size = len(README.read_bytes())
    assert size <= 20 * 1024, f"README.md is {size:,} bytes; move reference text into docs/ (at most 20,480)"


def test_readme_opens_with_the_demo_and_the_test_command():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block is not None and text.index(block.group(0)) < text.index("\n## "), "no set-up block at the top"
    first, second = [line for line in block.group(1).splitlines() if line.strip()][:2]
    assert "pip install -e ." in first and first.split("#")[0].rstrip().endswith("patrolplan demo"), first
    assert second.split("#")[0].strip() == "bash .ci/run", second
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"pip install -q -e \"\.\[test\]\"", ci), ".ci/run no longer installs the test extra"
    assert ci.rstrip().splitlines()[-1].startswith("exec .venv/bin/python -m pytest"), ".ci/run no longer ends in pytest"


def test_every_command_has_its_section():
    text = "\n".join(p.read_text(encoding="utf-8") for p in _pages())
    headings = set(re.findall(r"^#+ .*?`?patrolplan ([a-z][a-z-]*)", text, re.M))
    missing = sorted(set(_subcommands()) - headings)
    assert missing == [], f"no docs heading names `patrolplan {missing[0] if missing else ''}`"


def test_commands_page_is_the_parsers():
    module = _docs_commands()
    current = (DOCS / "commands.md").read_text(encoding="utf-8")
    assert current == module.render(), "docs/commands.md is out of date: run python scripts/docs_commands.py"


def _shell_blocks(text: str) -> list[str]:
    """The fenced blocks marked bash or sh, or unmarked."""
    blocks, lang, lines = [], None, []
    for line in text.splitlines():
        if line.startswith("```"):
            if lang is None:
                lang, lines = line[3:].strip(), []
            else:
                if lang in ("", "bash", "sh"):
                    blocks.append("\n".join(lines) + "\n")
                lang = None
        elif lang is not None:
            lines.append(line)
    return blocks


def _command_lines(text: str):
    """(command, rest of the line) for each patrolplan command line in code blocks and code spans."""
    for block in _shell_blocks(text):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("#")[0]
            for m in re.finditer(r"(?:^|[\s/])patrolplan ([a-z][a-z-]*)(.*)", line):
                yield m.group(1), m.group(2)
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for span in re.findall(r"`([^`]+)`", prose):
        m = re.match(r"patrolplan ([a-z][a-z-]*)(.*)", " ".join(span.split()))
        if m:
            yield m.group(1), m.group(2)


@pytest.mark.parametrize("path", [README, *_pages()], ids=lambda p: p.name)
def test_shown_commands_exist(path):
    commands = _subcommands()
    wrong = []
    for command, rest in _command_lines(path.read_text(encoding="utf-8")):
        if command not in commands:
            wrong.append(f"`patrolplan {command}` is no command")
            continue
        for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest):
            if option not in _options(commands[command]):
                wrong.append(f"`patrolplan {command} {option}`: no such option")
    assert wrong == [], f"{path.name}: " + "; ".join(wrong)


def test_the_command_check_catches_a_wrong_example():
    """The example check above can fail: an unknown command and an unknown option are found."""
    text = "```bash\npatrolplan solve x.yaml --outt runs/x\npatrolplan solvee x.yaml\n```\n`patrolplan map RUN --dey fri`"
    found = list(_command_lines(text))
    assert ("solve", " x.yaml --outt runs/x") in found and found[1][0] == "solvee"
    assert "--dey" in found[2][1]
    assert "--outt" not in _options(_subcommands()["solve"])
