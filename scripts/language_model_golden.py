"""Write tests/scoring/data/language_model_golden.json: what the language model engine gives for
the golden test's twenty texts (tests/scoring/data/golden_texts.py).

    .venv/bin/python scripts/language_model_golden.py [--model instance/languagemodel]

Run it only after a deliberate change of engine, version or model file, and say in REPORT.md
what moved and by how much: the golden test exists to make such a change visible. The file's
``reference`` values are not rewritten: they were computed once, before llama.cpp, by an exact
float32 evaluation of the pinned Q4_1 file (the NumPy forward pass of commit 57d5a31), and the
test checks that the engine stays close to them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assessor.languagemodel import model_path  # noqa: E402
from assessor.scoring.language_model import LanguageModel, engine_description  # noqa: E402
from tests.scoring.data.golden_texts import TEXTS  # noqa: E402

GOLDEN = ROOT / "tests/scoring/data/language_model_golden.json"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(ROOT / "instance/languagemodel"), help="its folder")
    args = ap.parse_args()
    model = LanguageModel(model_path(args.model))
    old = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {"texts": [{}] * len(TEXTS)}
    texts = []
    for text, before in zip(TEXTS, old["texts"], strict=True):
        scores = model.token_scores(text)
        texts.append(
            {
                "ids": list(model.token_ids(text)),
                "engine": [round(x, 5) for x in scores.logprobs],
                "reference": before.get("reference"),
            }
        )
    GOLDEN.write_text(
        json.dumps({"engine": engine_description(model), "texts": texts}, indent=None) + "\n"
    )
    print(f"wrote {GOLDEN.relative_to(ROOT)} ({engine_description(model)})")


if __name__ == "__main__":
    main()
