#!/usr/bin/env bash
# CI, production stage: what an operator does from a fresh clone, on PostgreSQL + Redis.
#   1. requirements.txt alone into a fresh virtualenv (no dev tools to hide a missing package);
#   2. migrate, demo data (loaded under the local profile), a Celery worker, Celery beat and
#      gunicorn with DJANGO_ENV=production;
#   3. walk it: /healthz, a login, a demo account refused, a declaration through the API, and its
#      e-mail delivered by the worker (.ci/production_walk.py);
#   4. back up (deploy/backup.sh), drop and restore (deploy/restore.sh): the app answers with the
#      same tickets.
# Needs PostgreSQL and Redis running (.ci/run starts them). REDIS_DB picks the Redis database.
set -euo pipefail
cd "$(dirname "$0")/.."

PG="postgres://postgres@127.0.0.1:5432"
DB="${PROD_DB:-repairs_ci_prod_$$}"
REDIS_DB="${REDIS_DB:-13}"
PORT="${PROD_PORT:-8765}"
BASE="http://127.0.0.1:$PORT"
work="$(mktemp -d)"
pids=()

cleanup() {
    for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    psql "$PG/postgres" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    redis-cli -h 127.0.0.1 -n "$REDIS_DB" flushdb >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
show_logs() {
    echo "--- worker log (tail)"; tail -n 40 "$work/worker.log" || true
    echo "--- beat log (tail)"; tail -n 20 "$work/beat.log" || true
    echo "--- web log (tail)"; tail -n 40 "$work/web.log" || true
}
trap 'show_logs' ERR

echo "--- requirements.txt alone into a fresh virtualenv"
PYTHON="$(command -v python3.11 || command -v python3)"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
py="$work/venv/bin/python"

password="$("$py" -c 'import secrets; print(secrets.token_urlsafe(12))')"
export DJANGO_ENV=production
DJANGO_SECRET_KEY="$("$py" -c 'import secrets; print(secrets.token_urlsafe(64))')"
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost"
export DATABASE_URL="$PG/$DB"
export CELERY_BROKER_URL="redis://127.0.0.1:6379/$REDIS_DB"
export DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend"
export DJANGO_EMAIL_FILE_PATH="$work/mail"
export DJANGO_MEDIA_ROOT="$work/media"
export SITE_URL="$BASE"
export SMS_FILE_PATH="$work/sms.log"
export DJANGO_TRUSTED_PROXY_COUNT=1

psql "$PG/postgres" -q -c "CREATE DATABASE $DB"
redis-cli -h 127.0.0.1 -n "$REDIS_DB" flushdb >/dev/null
"$py" manage.py migrate --noinput --verbosity 0
DJANGO_ENV=local "$py" manage.py seed_demo --scale small >/dev/null
# Demo accounts never log in under this profile: two real accounts for the walk.
"$py" manage.py shell --no-imports -c "
from django.contrib.auth import get_user_model
from devices.models import Profile, Role
User = get_user_model()
student = User.objects.get(username='demo-student')
student.username, student.email = 'ci-student', 'ci-student@example.org'
student.set_password('$password')
student.save()
Profile.objects.filter(user=student).update(notify_by_email=True, notify_by_sms=False)
manager = User.objects.create_user('ci-manager', 'ci-manager@example.org', '$password', is_staff=True)
Profile.objects.create(user=manager, role=Role.MANAGER)
"
"$py" manage.py collectstatic --noinput --verbosity 0

echo "--- Celery worker, beat and gunicorn (production profile)"
setsid "$work/venv/bin/celery" -A config worker --loglevel INFO --concurrency 2 >"$work/worker.log" 2>&1 &
pids+=($!)
# Beat with the outbox sweep every 5 s instead of 30, so that the walk sees a scheduled job run.
NOTIFICATIONS_SWEEP_EVERY=5 setsid "$work/venv/bin/celery" -A config beat --loglevel INFO \
    --schedule "$work/celerybeat-schedule" >"$work/beat.log" 2>&1 &
pids+=($!)
setsid "$work/venv/bin/gunicorn" -c config/gunicorn.py --bind "127.0.0.1:$PORT" --workers 2 config.wsgi \
    >"$work/web.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
    python3 -c "import urllib.request as u; u.urlopen(\"$BASE/healthz\", timeout=2)" 2>/dev/null && break
    sleep 0.5
done

echo "--- the walk"
python3 .ci/production_walk.py walk "$BASE" "$work/mail" ci-student "$password"
grep -q '"logger": "config.request"' "$work/web.log"  # JSON lines, one per request

echo "--- beat publishes the scheduled jobs and the worker runs them"
for _ in $(seq 40); do
    grep -q "notifications.tasks.sweep_outbox.*succeeded" "$work/worker.log" && break
    sleep 0.5
done
grep -q "Sending due task notifications-sweep-outbox" "$work/beat.log"
grep -q "notifications.tasks.sweep_outbox.*succeeded" "$work/worker.log"
echo "  ok: beat sent the outbox sweep and the worker ran it"

echo "--- backup, drop, restore"
before="$(python3 .ci/production_walk.py tickets "$BASE" ci-manager "$password")"
mapfile -t backup < <(deploy/backup.sh "$work/backup")
PYTHON="$py" deploy/restore.sh "${backup[@]}" >/dev/null
after="$(python3 .ci/production_walk.py tickets "$BASE" ci-manager "$password")"
[ -n "$before" ] && [ "$before" == "$after" ] || { echo "the restored app answers other tickets" >&2; exit 1; }
echo "restored: the app answers with the same $(wc -l <<<"$after") tickets (first page of 200)"
echo "production stage passed"
