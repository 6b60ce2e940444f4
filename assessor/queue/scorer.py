"""The scorer the worker uses: the pure scoring engine against our LanguageTool servers, with
the attempt's organisation's adopted model when it has one, and the language model when it is
installed."""

from __future__ import annotations

import logging

from assessor.queue.jobs import AttemptInput, ScoringUnavailable
from assessor.scoring.card import ScoreCard

log = logging.getLogger(__name__)


def make_scorer(config):
    """A callable AttemptInput -> ScoreCard, with one LanguageTool client per process."""
    from assessor.scoring.aggregate import model_from_dict
    from assessor.scoring.engine import score_attempt
    from assessor.scoring.grammar import CheckerUnavailable, LanguageToolChecker

    checker = LanguageToolChecker(
        config["LANGUAGETOOL_URLS"], timeout=config["LANGUAGETOOL_TIMEOUT_SECONDS"]
    )
    reader = language_model(config)

    def score(data: AttemptInput) -> ScoreCard:
        bank = data.bank
        # The organisation's adopted model is small (no n-grams): rebuilding it costs nothing.
        model = None if data.model is None else model_from_dict(data.model)
        try:
            card = score_attempt(
                bank, data.answers, checker, data.keystrokes, model=model, language_model=reader
            )
        except CheckerUnavailable as exc:
            raise ScoringUnavailable(str(exc)) from exc
        return card

    return score


def language_model_spec(config) -> tuple[str, int] | None:
    """(model file, llama.cpp threads) as the workers load it, or None when it is switched off
    (SCORING_LANGUAGE_MODEL) or not installed."""
    from assessor import languagemodel as lm_install

    home = config["LANGUAGE_MODEL_HOME"]
    if not config.get("SCORING_LANGUAGE_MODEL", True) or not lm_install.is_installed(home):
        return None
    return str(lm_install.model_path(home)), int(config.get("LANGUAGE_MODEL_THREADS", 1))


def language_model(config, note=log.warning):
    """The installed language model, loaded once per process, or None when it is switched off
    or not installed (the latter said through ``note``: scores then come from the model's plain
    parts, and each card names the part that made it). An installed but unreadable file raises
    LanguageModelError, which stops the worker with the reason rather than mixing both kinds."""
    from assessor.scoring.language_model import load_language_model

    spec = language_model_spec(config)
    if spec is None:
        if config.get("SCORING_LANGUAGE_MODEL", True):
            note(
                f"The language model is not installed in {config['LANGUAGE_MODEL_HOME']} "
                "(assessor languagemodel install): answers are scored without it."
            )
        return None
    return load_language_model(*spec)
