"""The language model's numbers, pinned: an engine, version or model-file change that moves them
fails here, and must be re-measured on purpose (scripts/language_model_golden.py, REPORT.md).

Twenty English texts with learners' errors (data/golden_texts.py: nineteen sentences and short
replies, one 400-word essay). Stored for each (data/language_model_golden.json): the token ids,
the engine's log-probability of each token, and a reference computed once by an exact float32
evaluation of the pinned Q4_1 file (the NumPy forward pass that llama.cpp replaced).

Tolerances: ids exactly; each token within ENGINE_TOLERANCE of the engine's stored value (the
engine gives the same numbers on every run and with any thread count: the slack only absorbs
a CPU whose kernels add in another order), each text's sum within 10x that; against the float32
reference, REFERENCE_MEAN per token on average and REFERENCE_MAX at worst (what was measured, from
the BF16 weights and llama.cpp's summation order: REPORT.md, "New in v5").
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import gguf
import numpy as np

from assessor import languagemodel as lm_install
from assessor.scoring.language_model import LanguageModel

from .data.golden_texts import TEXTS

GOLDEN = json.loads((Path(__file__).parent / "data/language_model_golden.json").read_text())
ENGINE_TOLERANCE = 0.002  # nats per token
REFERENCE_MEAN, REFERENCE_MAX = 0.03, 0.25


def mismatches(model: LanguageModel) -> list[str]:
    """Every way in which the model's output differs from the stored values."""
    found = []
    for number, (text, stored) in enumerate(zip(TEXTS, GOLDEN["texts"], strict=True)):
        ids = list(model.token_ids(text))
        if ids != stored["ids"]:
            found.append(f"text {number}: token ids differ")
            continue
        ours = np.array(model.token_scores(text).logprobs)
        worst = np.abs(ours - stored["engine"]).max()
        if worst > ENGINE_TOLERANCE:
            found.append(f"text {number}: a token's log-probability moved by {worst:.4f}")
        moved = abs(ours.sum() - sum(stored["engine"]))
        if moved > 10 * ENGINE_TOLERANCE:
            found.append(f"text {number}: the sum of log-probabilities moved by {moved:.4f}")
    return found


def test_the_twenty_texts_give_the_stored_ids_and_log_probabilities(language_model):
    assert len(TEXTS) == 20 and len(GOLDEN["texts"][-1]["ids"]) == 256  # the essay: a full read
    assert mismatches(language_model) == []


def test_the_engine_stays_close_to_an_exact_float32_evaluation_of_the_pinned_file(
    language_model,
):
    gaps = np.concatenate(
        [
            np.abs(np.array(language_model.token_scores(text).logprobs) - stored["reference"])
            for text, stored in zip(TEXTS, GOLDEN["texts"], strict=True)
        ]
    )
    assert gaps.mean() < REFERENCE_MEAN and gaps.max() < REFERENCE_MAX


def test_a_model_perturbed_by_one_part_in_a_thousand_fails_the_golden_values(
    language_model_home, tmp_path
):
    """The tolerances are tight enough to see a small change: the final norm's weights (576
    floats, F32 in the file) scaled by 1.001, i.e. every logit by about that much."""
    perturbed = tmp_path / "perturbed.gguf"
    shutil.copyfile(lm_install.model_path(language_model_home), perturbed)
    (norm,) = [t for t in gguf.GGUFReader(perturbed).tensors if t.name == "output_norm.weight"]
    offset = norm.data_offset
    with perturbed.open("r+b") as f:
        f.seek(offset)
        weights = np.frombuffer(f.read(4 * 576), dtype=np.float32)
        f.seek(offset)
        f.write((weights * np.float32(1.001)).astype(np.float32).tobytes())
    found = mismatches(LanguageModel(perturbed))
    assert len(found) >= 10, found
    assert all("moved by" in line for line in found)  # same ids: only the numbers differ
