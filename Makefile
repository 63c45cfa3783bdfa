# The two commands of the README: `make run` and `make test`. Everything else is set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint bench bench-size bench-day bench-live bench-import db clean-db screenshots messages

setup: $(INSTALLED)
	@scripts/ensure-postgres.sh

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(INSTALLED)

db: setup
	$(BIN)/axolotly pg start >/dev/null
	$(BIN)/axolotly db upgrade

run: db
	$(BIN)/axolotly seed-demo
	@echo "Axolotly: open http://$(HOST):$(PORT)/ and log in with a demo login above (kid launcher: /kids, API docs: /docs)"
	@# The job worker (episode loading, cleanup, backups) runs beside the server and stops with it.
	$(BIN)/axolotly worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/axolotly serve --host $(HOST) --port $(PORT)

# The suite starts its own throw-away cluster (or uses TEST_DATABASE_URL, which it wipes).
# Browser tests drive Debian's Chromium (no browser download): installed here when missing;
# the PgBouncer test runs the app through Debian's PgBouncer. Lint, types and contracts come first.
# Two workers, each with its own throw-away cluster (a test file stays in one worker); one worker
# when TEST_DATABASE_URL names a single database that two workers would both rebuild.
PYTEST_WORKERS ?= $(if $(TEST_DATABASE_URL),,-n 2 --dist loadfile)

test: setup lint
	@scripts/ensure-apt.sh chromium /usr/bin/chromium
	@scripts/ensure-apt.sh pgbouncer /usr/sbin/pgbouncer
	$(BIN)/python -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Refreshes the README's pictures on purpose (the suite itself photographs into .axolotly/screenshots/).
screenshots: setup
	@scripts/ensure-apt.sh chromium /usr/bin/chromium
	SCREENSHOT_DIR="$(CURDIR)/docs/screenshots" $(BIN)/python -m pytest -q tests -k axe_finds_nothing_on_any_page_type

# The words to translate: extracted from the code and templates (babel.cfg) into
# axolotly/locale/messages.pot, then merged into each language's catalog (created when missing);
# new entries wait there for a translator (tests/i18n fails until every one is translated).
LANGUAGES := de es fr
messages: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k _ -k gettext -k ngettext:1,2 -k N_ \
		--add-comments=Translators: --add-location=file --sort-by-file --no-wrap --project=Axolotly \
		--omit-header -o axolotly/locale/messages.pot .
	for lang in $(LANGUAGES); do \
		$(BIN)/pybabel update -i axolotly/locale/messages.pot -d axolotly/locale -l $$lang \
			--init-missing --no-fuzzy-matching --ignore-obsolete --no-wrap || exit 1; \
	done

# ruff (lint + format), mypy and the import contracts, without the database (pyproject.toml).
lint: $(INSTALLED)
	$(BIN)/ruff check axolotly tests bench scripts
	$(BIN)/ruff format --check axolotly tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup
	@scripts/ensure-apt.sh wrk wrk
	$(BIN)/python bench/launcher.py

# Bytes per family on FAMILIES generated families (default 20,000), table by table; says OVER BUDGET
# above the 10,000-byte target without failing (the spec's schema outranks it)
# (bench/size.py); then what a day of watch history costs (bench/usage_size.py).
bench-size: setup
	$(BIN)/python bench/size.py $(or $(FAMILIES),20000)
	$(BIN)/python bench/usage_size.py $(or $(FAMILIES),20000)

# Importing FAMILIES (default 2,000) generated older-backend families, timed and extrapolated to 100,000.
bench-import: setup
	$(BIN)/python bench/import_original.py $(or $(FAMILIES),2000)

# A day of a fleet: FAMILIES, DEVICES, POLL_SECONDS, DURATION, PARENTS (default "1 30": the launchers'
# p99 with 1 and with 30 parents logging in), REUSE... (bench/day.py); small by default.
BENCH_INSTALLED := $(VENV)/.installed-bench
$(BENCH_INSTALLED): pyproject.toml $(INSTALLED)
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	@touch $(BENCH_INSTALLED)

bench-day: setup $(BENCH_INSTALLED)
	FAMILIES="$(FAMILIES)" DEVICES="$(DEVICES)" POLL_SECONDS="$(POLL_SECONDS)" DURATION="$(DURATION)" \
	PARENTS="$(PARENTS)" PARENT_EDIT_SECONDS="$(PARENT_EDIT_SECONDS)" HEARTBEAT_SECONDS="$(HEARTBEAT_SECONDS)" \
	REUSE="$(REUSE)" WORKERS="$(WORKERS)" $(BIN)/python bench/day.py

# Held long polls: LIVE_N launchers (default 1,000 and 10,000; LIVE_N=50000,100000 to try more) hold
# GET /api/apps (Prefer: wait) while a parent changes a kid's launcher every second; change -> device,
# memory per held request, CPU idle and changing (bench/live.py; LIVE_IDLE_SECONDS, LIVE_CHANGE_SECONDS,
# LIVE_WAIT, LIVE_RAMP, WORKERS, REUSE).
bench-live: setup
	LIVE_N="$(LIVE_N)" LIVE_IDLE_SECONDS="$(LIVE_IDLE_SECONDS)" LIVE_CHANGE_SECONDS="$(LIVE_CHANGE_SECONDS)" \
	LIVE_WAIT="$(LIVE_WAIT)" LIVE_RAMP="$(LIVE_RAMP)" REUSE="$(REUSE)" WORKERS="$(WORKERS)" $(BIN)/python bench/live.py

clean-db:
	-$(BIN)/axolotly pg stop
	rm -rf .axolotly
