"""The French catalogue translates every message, with the same placeholders, and is up to date
with the code (run `make translations` after changing user-facing text)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "assessor" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdfg]")


def _catalog(path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_every_message_is_translated_with_the_same_placeholders():
    catalog = _catalog(PO)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        # a counted message (ngettext) has a plural id and one translation per plural form
        ids = message.id if message.pluralizable else (message.id,)
        strings = message.string if message.pluralizable else (message.string,)
        if not all(strings) or message.fuzzy:
            problems.append(f"untranslated: {message.id!r}")
        elif any(
            sorted(PLACEHOLDER.findall(ids[-1])) != sorted(PLACEHOLDER.findall(string))
            for string in strings
        ):
            problems.append(f"placeholders differ: {message.id!r}")
    assert not problems, "\n".join(problems)


def test_the_catalogue_holds_every_message_of_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    babel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [
            str(babel),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "_l",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    in_code = {m.id for m in _catalog(pot) if m.id}
    translated = {m.id for m in _catalog(PO) if m.id}
    missing = sorted(in_code - translated)
    assert not missing, f"run `make translations` and translate: {missing}"
