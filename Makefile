# make install | make run | make test | make test-fast | make lint | make lock | make messages
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# A laptop: DEBUG on unless the environment says otherwise (settings default to production's
# false). Deployments do not use this Makefile.
export DJANGO_DEBUG ?= true

.PHONY: install run test test-fast lint pytest lock messages bench clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock requirements.in requirements-dev.in
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -r requirements-dev.in
	touch $@

# Web server, Celery worker and beat in one command, on SQLite and the file-system broker unless
# DATABASE_URL / CELERY_BROKER_URL say otherwise. Ctrl-C stops everything.
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) demo_data
	$(MANAGE) run_local

# The fast checks of STYLE.md.
lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null
	$(MANAGE) check_messages

pytest: install
	$(BIN)/pytest

test: lint pytest

# The quick loop: every test but the slow ones (those that start processes or a browser).
test-fast: install
	$(BIN)/pytest -m "not slow"

# Re-pin every package after editing requirements*.in.
lock:
	rm -rf var/lock-venv
	$(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet -r requirements-dev.in
	var/lock-venv/bin/pip freeze --exclude-editable | grep -v '^pip==' > requirements.lock
	rm -rf var/lock-venv

# Re-extract and compile the message catalogues (needs GNU gettext).
messages: install
	$(MANAGE) makemessages --locale zh_Hans --locale en --no-obsolete \
		--ignore '.venv/*' --ignore 'var/*' --ignore 'staticfiles/*' --ignore 'tests/*' \
		--ignore 'bench/*' --ignore 'locale/*'
	$(MANAGE) compilemessages --ignore '.venv/*' --ignore 'var/*'

# Benchmarks in their short mode; they print figures. breach_scan and faults need PostgreSQL.
bench: install
	$(BIN)/python bench/business_time.py --short
	$(BIN)/python bench/portal_pages.py --short
	$(BIN)/python bench/ticket_open.py --short
	$(BIN)/python bench/pages.py --short
	$(BIN)/python bench/helpdesk_compare.py --short --floors
	$(BIN)/python bench/ingest.py --short
	case "$$DATABASE_URL" in postgres*) \
		$(BIN)/python bench/breach_scan.py --short && $(BIN)/python bench/desk_curve.py --short \
		&& $(BIN)/python bench/faults.py --short ;; \
		*) echo "bench/breach_scan.py, desk_curve.py, faults.py skipped: set DATABASE_URL=postgres://..." ;; esac

clean:
	rm -rf $(VENV) var staticfiles
