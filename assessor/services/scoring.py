"""The scorer the worker uses: the pure scoring engine against our LanguageTool servers, with
the attempt's organisation's adopted model when it has one."""

from __future__ import annotations

from ..jobs import AttemptInput, ScoringUnavailable


def make_scorer(config):
    """A callable AttemptInput -> score card dict, with one LanguageTool client per process."""
    from ..question_banks import Bank
    from ..scoring.aggregate import model_from_dict
    from ..scoring.engine import score_attempt
    from ..scoring.grammar import CheckerUnavailable, LanguageToolChecker

    checker = LanguageToolChecker(
        config["LANGUAGETOOL_URLS"], timeout=config["LANGUAGETOOL_TIMEOUT_SECONDS"]
    )

    def score(data: AttemptInput) -> dict:
        bank = Bank.from_dict(data.bank)
        # The organisation's adopted model is small (no n-grams): rebuilding it costs nothing.
        model = None if data.model is None else model_from_dict(data.model)
        try:
            card = score_attempt(bank, data.answers, checker, data.keystrokes, model=model)
        except CheckerUnavailable as exc:
            raise ScoringUnavailable(str(exc)) from exc
        return card.to_dict()

    return score
