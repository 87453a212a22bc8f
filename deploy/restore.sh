#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh: the database is DROPPED and recreated from the dump,
# then migrated (a dump of an older release is brought up to this code); the media tar, if given,
# replaces DJANGO_MEDIA_ROOT's content.
#
#   deploy/restore.sh DUMP [MEDIA_TAR_GZ]
#
# Reads DATABASE_URL (and DJANGO_MEDIA_ROOT) from the environment. Stop beat and the workers first;
# web servers may stay up (they reconnect), but answer errors while the database is away.
# PYTHON names the application's interpreter (default: .venv/bin/python beside this directory).
set -euo pipefail

dump="${1:?usage: deploy/restore.sh DUMP [MEDIA_TAR_GZ]}"
media="${2:-}"
: "${DATABASE_URL:?set DATABASE_URL (postgres://…)}"
[ -r "$dump" ] || { echo "cannot read $dump" >&2; exit 1; }
here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$here/.venv/bin/python}"

# The database's name is the URL's path; the server's maintenance database is "postgres".
name="${DATABASE_URL##*/}"
name="${name%%\?*}"
admin_url="${DATABASE_URL%/*}/postgres"
[[ "$name" =~ ^[A-Za-z0-9_]+$ ]] || { echo "unexpected database name: $name" >&2; exit 1; }

pg_restore --list "$dump" >/dev/null  # a readable dump, before anything is dropped
psql "$admin_url" --quiet --set ON_ERROR_STOP=1 --command "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"
psql "$admin_url" --quiet --set ON_ERROR_STOP=1 --command "CREATE DATABASE \"$name\""
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$DATABASE_URL" "$dump"
(cd "$here" && "$python" manage.py migrate --noinput)
# A restored database has no statistics: the planner would guess until autovacuum analyses it.
psql "$DATABASE_URL" --quiet --set ON_ERROR_STOP=1 --command "VACUUM (ANALYZE)"
echo "database $name restored from $dump"

if [ -n "$media" ]; then
    : "${DJANGO_MEDIA_ROOT:?set DJANGO_MEDIA_ROOT to restore the media}"
    mkdir -p "$DJANGO_MEDIA_ROOT"
    find "$DJANGO_MEDIA_ROOT" -mindepth 1 -delete
    tar --extract --gzip --file "$media" --directory "$DJANGO_MEDIA_ROOT"
    echo "media restored into $DJANGO_MEDIA_ROOT from $media"
fi
