#!/usr/bin/env bash
# Back up Assessor's database into a folder, keeping the newest KEEP backups:
#
#   scripts/backup.sh DIR [KEEP]      (KEEP defaults to 14)
#
# The database is ASSESSOR_DATABASE_URL's. PostgreSQL: `pg_dump --format=custom` (restore with
# pg_restore, docs/deployment.md "Backups"); SQLite: SQLite's online backup, a consistent copy
# even while the app writes. The file appears complete or not at all (written beside, then
# renamed). Prints the path of the new backup. systemd runs it nightly (assessor-backup.timer).
set -euo pipefail
dir=${1:?usage: scripts/backup.sh DIR [KEEP]}
keep=${2:-14}
url=${ASSESSOR_DATABASE_URL:?set ASSESSOR_DATABASE_URL (the database to back up)}
[[ $keep =~ ^[1-9][0-9]*$ ]] || { echo "backup.sh: KEEP must be a positive number" >&2; exit 2; }
mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%M%S.%3NZ)  # milliseconds: two runs in a second do not collide
umask 077
case "$url" in
  postgresql*)
    target="$dir/assessor-$stamp.dump"
    # libpq reads the URL without SQLAlchemy's driver suffix (postgresql+psycopg://)
    pg_dump --format=custom --no-owner --file="$target.part" "postgresql://${url#*://}"
    ;;
  sqlite:///*)
    target="$dir/assessor-$stamp.sqlite3"
    python3 - "${url#sqlite:///}" "$target.part" <<'PY'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
source.close()
target.close()
PY
    ;;
  *)
    echo "backup.sh: only PostgreSQL and SQLite URLs are supported, not ${url%%:*}" >&2
    exit 2
    ;;
esac
mv "$target.part" "$target"
# the newest KEEP backups stay; older ones go
shopt -s nullglob
backups=("$dir"/assessor-*.dump "$dir"/assessor-*.sqlite3)
ls -1t -- "${backups[@]}" | tail -n +"$((keep + 1))" | while read -r old; do rm -f -- "$old"; done
echo "$target"
