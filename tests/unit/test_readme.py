"""The README stays true: every CLI command and every setting the code reads is documented."""

import re
from pathlib import Path

from gateway.commands import build_parser

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_every_command_is_in_the_readme() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:
        assert f"remit {name}" in README, name


def test_every_setting_is_in_the_readme() -> None:
    names: set[str] = set()
    for path in (ROOT / "gateway").rglob("*.py"):
        text = path.read_text()
        names |= set(re.findall(r"\"(REMIT_[A-Z0-9_]+)\"", text))
        if 'f"REMIT_{name}"' in text:  # settings read through a small prefixing helper
            names |= {f"REMIT_{m}" for m in re.findall(r'get\("([A-Z0-9_]+)"\)', text)}
    missing = sorted(n for n in names if n not in README)
    assert not missing, missing
