"""Pytest plugin: the installed SmolLM2 language model, loaded once per test session.

- ``language_model_home``: ``ASSESSOR_LANGUAGE_MODEL_HOME`` or ``<repo>/instance/languagemodel``.
- ``language_model``: the loaded model (llama.cpp; well under a second to load).

Not installed: ``pytest.fail`` under ``CI=true`` (``make setup`` installs it), else skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assessor import languagemodel as lm_install

from .languagetool_server import REPO, unavailable


@pytest.fixture(scope="session")
def language_model_home() -> Path:
    home = Path(
        os.environ.get("ASSESSOR_LANGUAGE_MODEL_HOME") or REPO / "instance" / "languagemodel"
    )
    if not lm_install.is_installed(home):
        unavailable(
            f"The language model is not installed in {home}: run `assessor languagemodel install`."
        )
    return home


@pytest.fixture(scope="session")
def language_model(language_model_home):
    from assessor.scoring.language_model import load_language_model

    return load_language_model(str(lm_install.model_path(language_model_home)))


def pytest_unconfigure(config):
    """llama-cpp-python opens two /dev/null files at import and never closes them: Python's
    ResourceWarning about them at exit would end every run with noise."""
    import sys

    utils = sys.modules.get("llama_cpp._utils")
    for name in ("outnull_file", "errnull_file"):
        handle = getattr(utils, name, None)
        if handle is not None:
            handle.close()
