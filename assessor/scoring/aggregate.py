"""The versioned scoring model: load it, and turn features into a proficiency estimate.

Inference is pure Python (a standardised linear model per target); fitting lives in
scripts/fit_model.py. The model file records its data, licence and validation numbers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DEFAULT_MODEL_PATH = Path(__file__).parent / "models" / "writing-v5.json"
LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
# The overall score is the weighted mean of the sub-scores present; these weights are used when the
# model file carries none (its "subscore_weights").
DEFAULT_WEIGHTS = {
    "grammar": 0.30,
    "readability": 0.10,
    "vocabulary": 0.15,
    "task_completion": 0.30,
    "typing": 0.15,
}


@dataclass(frozen=True)
class LinearModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    output_range: tuple[float, float]
    stretch: float = 1.0
    # Optional TF-IDF part over masked n-grams: gram -> (idf, coefficient).
    ngrams: dict[str, tuple[float, float]] = field(default_factory=dict)

    def predict(self, values: dict[str, float]) -> float:
        total = 0.0
        for name, mu, sd, w in zip(self.features, self.mean, self.scale, self.coef, strict=True):
            total += w * (float(values.get(name, mu)) - mu) / sd
        return self.intercept + self.stretch * (total + self._ngram_part(values))

    def _ngram_part(self, values: dict[str, float]) -> float:
        """Sublinear tf x idf, L2-normalised over known grams, as TfidfVectorizer does."""
        if not self.ngrams:
            return 0.0
        weights = {}
        for key, count in values.items():
            entry = self.ngrams.get(key[3:]) if key.startswith("ng:") and count > 0 else None
            if entry:
                weights[key[3:]] = (1.0 + math.log(count)) * entry[0]
        norm = math.sqrt(sum(w * w for w in weights.values()))
        if not norm:
            return 0.0
        return sum(w / norm * self.ngrams[gram][1] for gram, w in weights.items())


@dataclass(frozen=True)
class ScoringModel:
    version: str
    models: dict[str, LinearModel]
    cefr_cutoffs: dict[str, float]
    sentence_max_words: int = 35
    metadata: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Proficiency:
    score_0_100: float
    level: str
    raw: float
    model: str = ""


def load_model(path: str | Path | None = None) -> ScoringModel:
    """Load (once per process and path: the file holds ~40k n-gram weights) a model file."""
    return _load_model(str(Path(path or DEFAULT_MODEL_PATH).resolve()))


@lru_cache(maxsize=8)
def _load_model(path: str) -> ScoringModel:
    return model_from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def model_from_dict(data: dict) -> ScoringModel:
    """A model from the content of a model file (or an organisation's calibrated copy of one)."""
    models = {
        name: LinearModel(
            features=tuple(spec["features"]),
            mean=tuple(spec["mean"]),
            scale=tuple(spec["scale"]),
            coef=tuple(spec["coef"]),
            intercept=float(spec["intercept"]),
            output_range=(float(spec["output_range"][0]), float(spec["output_range"][1])),
            stretch=float(spec.get("stretch", 1.0)),
            ngrams={g: (float(v[0]), float(v[1])) for g, v in spec.get("ngrams", {}).items()},
        )
        for name, spec in data["models"].items()
    }
    return ScoringModel(
        version=data["version"],
        models=models,
        cefr_cutoffs={k: float(v) for k, v in data["cefr_cutoffs"].items()},
        sentence_max_words=int(data.get("sentence_max_words", 35)),
        metadata={k: v for k, v in data.items() if k not in ("models",)},
    )


def level_for(score_0_100: float, cutoffs: dict[str, float]) -> str:
    level = LEVELS[0]
    for name in LEVELS[1:]:
        if score_0_100 >= cutoffs[name]:
            level = name
    return level


def uses_sentence_model(features: dict[str, float], model: ScoringModel, dimension: str) -> bool:
    """Single sentences (or short answers) are judged for grammar with the sentence model,
    trained on sentence ratings; longer answers with the essay models."""
    words = features.get("words", 0.0)
    one_sentence = features.get("log_sentences", 0.0) == 0.0
    return dimension == "grammar" and (one_sentence or words <= model.sentence_max_words)


def predict_dimension(
    features: dict[str, float], model: ScoringModel, dimension: str, *, text: str = ""
) -> Proficiency:
    """``dimension`` is "overall" or "grammar". A sentence's grammar is read by the ``sentence``
    part, anything longer by ``essay_<dimension>``; each has a ``_lm`` variant that also reads
    the language model's features (language_model.py), used when those features are there and
    the model has it (a calibration from answers not all read by it has only ``essay_overall``)."""
    name = "sentence" if uses_sentence_model(features, model, dimension) else f"essay_{dimension}"
    if f"{name}_lm" in model.models and "nlm_mean" in features:
        name = f"{name}_lm"
    linear = model.models[name]
    low, high = linear.output_range
    raw = min(high, max(low, linear.predict(features)))
    score = 100.0 * (raw - low) / (high - low)
    return Proficiency(
        score_0_100=round(score, 1),
        level=level_for(score, model.cefr_cutoffs),
        raw=round(raw, 3),
        model=f"{model.version}/{name}",
    )


def predict_proficiency(features: dict[str, float], model: ScoringModel) -> Proficiency:
    """Overall writing proficiency: 0-100, a CEFR-style level, and the raw 1-5 estimate."""
    return predict_dimension(features, model, "overall")
