"""The LanguageTool server Assessor installs and runs: pom, server config, process control."""

from assessor.languagetool.install import (
    VERSION,
    InstallResult,
    LanguageToolError,
    install,
    is_installed,
)
from assessor.languagetool.server import (
    CHECK_PARAMS,
    LANGUAGES,
    ServerStatus,
    ping,
    start,
    status,
    stop,
)

__all__ = [
    "CHECK_PARAMS",
    "LANGUAGES",
    "VERSION",
    "InstallResult",
    "LanguageToolError",
    "ServerStatus",
    "install",
    "is_installed",
    "ping",
    "start",
    "status",
    "stop",
]
