# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= small
# Test processes: one per core (pytest-xdist); TEST_WORKERS=0 runs the suite in one process.
# --dist worksteal: a worker that runs out of tests takes some from the other's queue instead of
# waiting for it. Tests then run in any order on a worker, so the rows the migrations write come
# back after each transactional test's flush (tests/conftest.py).
TEST_WORKERS ?= auto
TEST_DIST = $(if $(filter 0,$(TEST_WORKERS)),,--dist worksteal)

.PHONY: run test lint lock format migrate seed messages worker beat dev serve clean

# The virtualenv is made without pip: putting pip into it (ensurepip installs and compiles it)
# took about 10 of a fresh clone's 15 s of set-up. pip runs instead from the wheel Python ships
# for ensurepip, to install uv (or everything, where uv cannot be had). A Python without that
# wheel (Debian's) gets a virtualenv with pip, as before.
PIP_WHEEL = $(shell $(PYTHON) -c 'import ensurepip, pathlib; print(*sorted(pathlib.Path(ensurepip.__file__).parent.glob("_bundled/pip-*.whl"))[-1:])' 2>/dev/null)
PIP = $(if $(PIP_WHEEL),$(BIN)/python $(PIP_WHEEL)/pip,$(BIN)/python -m pip)

$(BIN)/python:
	$(PYTHON) -m venv $(if $(PIP_WHEEL),--without-pip) $(VENV)

# Installs come from the lock files: every transitive package pinned and checked by its hash.
# uv installs them in seconds where pip takes half a minute; pip stays the fallback, so a machine
# where uv cannot be fetched or cannot reach the index still installs (more slowly).
# uv first tries its cache alone (--offline): with every version pinned and hashed, asking the
# index again whether a cached package is current only costs time (0.4 s against 12 s on a slow
# index). Where one is missing it fails at once, before installing anything, and asks the index.
PIP_INSTALL = $(PIP) install --quiet --disable-pip-version-check --require-hashes
UV_INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes
INSTALL = ([ -x $(BIN)/uv ] && ($(UV_INSTALL) --offline -r $(1) 2>/dev/null || $(UV_INSTALL) -r $(1))) \
	|| $(PIP_INSTALL) -r $(1)

$(BIN)/uv: requirements-uv.lock | $(BIN)/python
	-$(PIP_INSTALL) -r requirements-uv.lock

$(VENV)/.installed: requirements.lock | $(BIN)/uv
	$(call INSTALL,requirements.lock)
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed
	$(call INSTALL,requirements-dev.lock)
	touch $@

## make lock: after editing requirements.txt or requirements-dev.txt, re-pin everything with hashes.
PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host
lock: $(VENV)/.installed-dev
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint requirements.lock --output-file requirements-dev.lock requirements-dev.txt
	grep '^uv==' requirements-uv.lock | cut -d' ' -f1 | $(PIP_COMPILE) --output-file requirements-uv.lock -

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo --scale $(SCALE)

## make run: fresh machine → app on http://127.0.0.1:8000 with demo data (SQLite, eager tasks),
## and the periodic jobs (SLA warnings, outbox sweep, digests, monthly report) run beside it by
## manage.py run_scheduler, from the same table as Celery beat. Ctrl-C stops both.
run: seed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	trap 'kill 0' EXIT; \
	$(BIN)/python manage.py run_scheduler & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: lint, then the whole test suite (which also checks that every model change has its
## migration: tests/test_models_migrated.py).
test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(TEST_WORKERS) $(TEST_DIST)

# The suite's processes (the migrations check, pytest and its workers, the commands some tests
# run) import the same modules: let Python keep their bytecode (and pytest its rewritten test
# modules) even where PYTHONDONTWRITEBYTECODE is set, instead of compiling them in each process.
test: export PYTHONDONTWRITEBYTECODE :=

## make worker / make beat: Celery's worker and scheduler, for a broker (CELERY_BROKER_URL).
## make dev: web + worker + beat in one terminal; Ctrl-C stops the three.
BROKER_REQUIRED = @test -n "$$CELERY_BROKER_URL" || \
	(echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0); without it \`make run\` delivers in-process." && exit 1)
CELERY_BEAT_FILE := var/celerybeat-schedule

worker: $(VENV)/.installed
	$(BROKER_REQUIRED)
	$(BIN)/celery -A config worker --loglevel INFO

beat: $(VENV)/.installed
	$(BROKER_REQUIRED)
	@mkdir -p var
	$(BIN)/celery -A config beat --loglevel INFO --schedule $(CELERY_BEAT_FILE)

dev: seed
	$(BROKER_REQUIRED)
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	trap 'kill 0' EXIT; \
	$(BIN)/celery -A config worker --loglevel INFO & \
	$(BIN)/celery -A config beat --loglevel INFO --schedule $(CELERY_BEAT_FILE) & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make serve: the production profile under gunicorn (config/gunicorn.py), as on a server: set
## DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL… first (docs/DEPLOY.md).
serve: $(VENV)/.installed
	DJANGO_ENV=production $(BIN)/python manage.py migrate --noinput
	DJANGO_ENV=production $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DJANGO_ENV=production $(BIN)/gunicorn -c config/gunicorn.py config.wsgi

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make messages: refresh locale/fr after changing user-facing strings (needs GNU gettext).
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages --locale fr --ignore ".venv/*" --ignore "var/*" --no-obsolete --no-location
	$(BIN)/python manage.py compilemessages --locale fr --ignore ".venv/*"

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
