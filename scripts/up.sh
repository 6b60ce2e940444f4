#!/usr/bin/env bash
# Set everything up and run Assessor on the embedded default (SQLite in instance/), with demo content.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
HOST=${ASSESSOR_HOST:-127.0.0.1}
PORT=${ASSESSOR_PORT:-5000}

assessor languagetool start
assessor demo --base-url "http://$HOST:$PORT"
INSTANCE=${ASSESSOR_INSTANCE_PATH:-$PWD/instance}
assessor worker > "$INSTANCE/worker.log" 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM
echo "Scoring worker running (pid $worker, log $INSTANCE/worker.log). Press Ctrl-C to stop." >&2
assessor run --host "$HOST" --port "$PORT"
