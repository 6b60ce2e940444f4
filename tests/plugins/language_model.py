"""Pytest plugin: the installed SmolLM2 language model, loaded once per test session.

- ``language_model_home``: ``ASSESSOR_LANGUAGE_MODEL_HOME`` or ``<repo>/instance/languagemodel``.
- ``language_model``: the loaded model (~540 MB, a few seconds to load).

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
