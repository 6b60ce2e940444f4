"""scoring/ stays pure (no web or database code) and works with the outside network refused."""

from __future__ import annotations

import ast
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SCORING = Path(__file__).resolve().parents[2] / "assessor" / "scoring"
FORBIDDEN = ("flask", "sqlalchemy", "assessor.models", "assessor.web", "assessor.db")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path", sorted(SCORING.rglob("*.py")), ids=lambda p: str(p.relative_to(SCORING))
)
def test_no_web_or_database_imports(path):
    for name in imported_modules(path):
        assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"


def test_importing_scoring_loads_no_web_or_database_code():
    # every module of the package, subpackages included, in a fresh interpreter
    code = (
        "import sys, importlib, pkgutil\n"
        "import assessor.scoring as s\n"
        "for m in pkgutil.walk_packages(s.__path__, 'assessor.scoring.'):\n"
        "    importlib.import_module(m.name)\n"
        f"bad = [m for m in sys.modules if m.startswith({FORBIDDEN!r})]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else str(address)
    return host in ("127.0.0.1", "::1", "localhost") or str(host).startswith("127.")


@pytest.fixture
def outside_refused(monkeypatch):
    real_connect = socket.socket.connect
    real_create = socket.create_connection

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise OSError(f"test: outside connection to {address} refused")
        return real_connect(self, address)

    def create_connection(address, *args, **kwargs):
        if not _is_loopback(address):
            raise OSError(f"test: outside connection to {address} refused")
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)


@pytest.mark.languagetool
def test_scoring_works_offline(outside_refused, languagetool_url, language_model_home):
    from assessor.scoring.aggregate import load_model, predict_proficiency
    from assessor.scoring.features import extract_features
    from assessor.scoring.grammar import LanguageToolChecker
    from assessor.scoring.readability import measure_readability
    from assessor.scoring.vocabulary import measure_vocabulary

    text = "Thank you for your message. She go to the bank tomorrow to check you're payment."
    with pytest.raises(OSError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    assert measure_readability(text, "en-US").grade > 0
    assert measure_vocabulary(text, "fr").words > 0
    issues = LanguageToolChecker([languagetool_url]).check(text, "en-US")
    assert issues
    assert predict_proficiency(extract_features(text, issues, "en-US"), load_model()).level
    # the sentence model's language model: loaded and run here, with the network refused
    from assessor.languagemodel import model_path
    from assessor.scoring.aggregate import predict_dimension
    from assessor.scoring.language_model import LanguageModel, likelihood_features

    sentence = "She go to the bank tomorrow."
    features = extract_features(sentence, [], "en-US")
    lm = LanguageModel(model_path(language_model_home))  # a fresh load, not the session's
    features.update(likelihood_features(sentence, lm.token_scores(sentence), "en-US"))
    assert predict_dimension(features, load_model(), "grammar").model.endswith("/sentence_lm")
    # and a whole reply through the engine, as the worker scores it with the model installed
    from assessor.question_banks import EmailTask
    from assessor.scoring.engine import score_answer

    task = EmailTask("t", "email", "Reply", "Answer.", "Late parcel.", 5, 200, "formal", ())
    checker = LanguageToolChecker([languagetool_url])
    scored = score_answer(task, text, checker, language="en-US", language_model=lm)
    assert scored.grammar.issues and scored.proficiency.model.endswith("/essay_overall_lm")
