"""Write docs/commands.md from the command line's own parser.

    python scripts/docs_commands.py            # rewrite docs/commands.md
    python scripts/docs_commands.py --check    # exit 1 when docs/commands.md is out of date

Each command gets its usage (as ``patrolplan COMMAND --help`` prints it, 100 columns wide), a
table of its arguments and options with their help, and a link to the page that explains it
(``PAGES`` below). tests/test_docs.py fails when the page and the parser disagree, so a new
command or option shows up here by running this script; a new command also needs its entry in
``PAGES``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "docs" / "commands.md"

# command -> (the page that explains it, its title)
PAGES = {
    "demo": ("index.md", "What it does"),
    "solve": ("solving.md", "How it solves"),
    "replan": ("replan.md", "Re-planning"),
    "validate": ("inputs.md", "Inputs"),
    "check": ("solving.md", "How it solves"),
    "batch": ("batch.md", "Batch, benchmarks, notebook"),
    "map": ("outputs.md", "Outputs"),
    "respond": ("respond.md", "Tiered response"),
    "junctions": ("site.md", "Checkpoint siting"),
    "generate": ("batch.md", "Batch, benchmarks, notebook"),
    "site": ("site.md", "Checkpoint siting"),
    "hotspots": ("incidents.md", "From incidents to hotspots"),
    "evaluate": ("incidents.md", "From incidents to hotspots"),
}

HEAD = """\
# Commands

Every command of `patrolplan`, its arguments and options as `patrolplan COMMAND --help` prints them,
and the page that explains it. (Written by `scripts/docs_commands.py` from the parser; edit the
help there, in `src/patrolplan/cli.py`, not here.)

Exit codes: **0** a gap-free roster that breaks no rule; **1** no such roster exists (or `check`
found gaps or broken rules) — `explanation.md` says where and why; **2** bad input or usage — one
message per problem, naming file, row or id, column and the fix; never a traceback; **130** (Ctrl-C)
and **143** (SIGTERM): stopped, the previous run folder left as it was ([Outputs](outputs.md)).
"""


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """The CLI's subcommands by name, in the parser's order."""
    from patrolplan.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _helps() -> dict[str, str]:
    from patrolplan.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {c.dest: c.help or "" for c in sub._choices_actions}


def _usage(p: argparse.ArgumentParser) -> str:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps at the terminal's width: fix it
    try:
        text = p.format_usage().strip()
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    lines = text.removeprefix("usage: ").split("\n")
    return "\n".join(line[len("usage: "):] if line.startswith(" " * len("usage: ")) else line for line in lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _argument(a: argparse.Action) -> str:
    if not a.option_strings:
        return f"`{a.dest.upper()}`" + (" ..." if a.nargs == "+" else "")
    name = ", ".join(f"`{o}`" for o in a.option_strings)
    if a.nargs == 0:
        return name
    if a.metavar:
        return f"{name} `{a.metavar}`"
    if a.choices:
        return f"{name} `{{{','.join(a.choices)}}}`"
    return f"{name} `{a.dest.upper()}`"


def render() -> str:
    """docs/commands.md as the parser has it now."""
    helps = _helps()
    out = [HEAD]
    for name, p in subcommands().items():
        if name not in PAGES:
            raise SystemExit(f"scripts/docs_commands.py: command {name!r} has no page in PAGES — add it")
        page, title = PAGES[name]
        text = helps[name]
        out += [f"## patrolplan {name}", "", f"{text[:1].upper()}{text[1:]}. See [{title}]({page}).", "",
                "```text", _usage(p), "```", ""]
        rows = []
        for a in p._actions:
            if isinstance(a, argparse._HelpAction):
                continue
            required = " (required)" if a.required and a.option_strings else ""
            rows.append(f"| {_argument(a)} | {_cell(a.help or '')}{required} |")
        if rows:
            out += ["| argument | meaning |", "|---|---|", *rows, ""]
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--check", action="store_true", help="exit 1 when docs/commands.md is out of date")
    opts = args.parse_args(argv)
    text = render()
    if opts.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python scripts/docs_commands.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
