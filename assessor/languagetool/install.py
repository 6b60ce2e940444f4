"""Fetch the pinned LanguageTool server jars with Maven (``assessor languagetool install``)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

VERSION = "6.8"  # must match languagetool.version in pom.xml
MIN_JAVA = 17
POM = Path(__file__).with_name("pom.xml")
MARKER = ".assessor-languagetool-version"


class LanguageToolError(Exception):
    """LanguageTool cannot be installed or started; the message says why in plain words."""


@dataclass(frozen=True)
class InstallResult:
    lib_dir: Path
    version: str
    installed: bool  # False when the jars were already there
    jar_count: int
    size_bytes: int


def is_installed(home: Path) -> bool:
    marker = Path(home) / "lib" / MARKER
    return marker.is_file() and marker.read_text().strip() == VERSION


def install(home: Path, *, maven: str = "mvn", quiet: bool = True) -> InstallResult:
    """Fetch the pinned LanguageTool jars into ``home/lib`` with Maven; skip if already there."""
    home = Path(home).resolve()
    lib = home / "lib"
    if is_installed(home):
        return _install_result(lib, installed=False)
    check_java()
    mvn = shutil.which(maven)
    if mvn is None:
        raise LanguageToolError(f"Maven ({maven!r}) was not found on PATH: install Maven 3.8+.")
    staging = home / "lib.partial"
    shutil.rmtree(staging, ignore_errors=True)
    home.mkdir(parents=True, exist_ok=True)
    # Copied, not used in place: the package may be read-only and Maven may write beside the pom.
    shutil.copyfile(POM, home / "pom.xml")
    cmd = [mvn, "-B", "-f", str(home / "pom.xml"), f"-Doutput.dir={staging}", "package"]
    if quiet:
        cmd.insert(2, "-q")
    proc = subprocess.run(cmd, cwd=home, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not (staging / f"languagetool-server-{VERSION}.jar").is_file():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise LanguageToolError(
            f"Maven could not fetch LanguageTool {VERSION} into {lib} (exit code "
            f"{proc.returncode}); check that Maven Central is reachable. Maven said:\n{tail}"
        )
    (staging / MARKER).write_text(VERSION + "\n")
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    return _install_result(lib, installed=True)


def _install_result(lib: Path, *, installed: bool) -> InstallResult:
    jars = list(lib.glob("*.jar"))
    size = sum(jar.stat().st_size for jar in jars)
    return InstallResult(lib, VERSION, installed, len(jars), size)


def check_java(java: str = "java") -> str:
    """Return the path of a Java >= 17 runtime, or raise LanguageToolError."""
    path = shutil.which(java)
    if path is None:
        raise LanguageToolError(f"Java {MIN_JAVA} or newer is required and 'java' is not on PATH.")
    out = subprocess.run([path, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):  # "1.8.0" style
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise LanguageToolError(f"Java {MIN_JAVA} or newer is required; {path} is Java {major}.")
    return path
