#!/usr/bin/env bash
# Run the whole test suite. With ASSESSOR_TEST_DATABASE_URL set it runs against that PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m pytest "$@"
