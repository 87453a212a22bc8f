#!/usr/bin/env bash
# Back up the database (pg_dump, custom format) and the uploaded files (a tar of DJANGO_MEDIA_ROOT).
#
#   deploy/backup.sh [BACKUP_DIR]        # default /var/backups/repairs
#
# Reads DATABASE_URL and DJANGO_MEDIA_ROOT from the environment (the same file as the services:
# `set -a; . /etc/repairs/env; set +a`). Writes repairs-YYYYmmdd-HHMMSS.dump and, when the media
# directory exists, repairs-YYYYmmdd-HHMMSS-media.tar.gz; prints their paths. Run it from cron or a
# systemd timer; keep copies on another machine. Restore with deploy/restore.sh.
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL (postgres://…)}"
dir="${1:-/var/backups/repairs}"
stamp="$(date +%Y%m%d-%H%M%S)"
mkdir -p "$dir"
umask 077  # the dump holds personal data

dump="$dir/repairs-$stamp.dump"
pg_dump --format=custom --no-owner --no-privileges --file "$dump.partial" "$DATABASE_URL"
mv "$dump.partial" "$dump"
echo "$dump"

if [ -n "${DJANGO_MEDIA_ROOT:-}" ] && [ -d "$DJANGO_MEDIA_ROOT" ]; then
    media="$dir/repairs-$stamp-media.tar.gz"
    tar --create --gzip --file "$media.partial" --directory "$DJANGO_MEDIA_ROOT" .
    mv "$media.partial" "$media"
    echo "$media"
fi
