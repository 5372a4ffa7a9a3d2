# The two commands a new user needs: `make demo` and `make test`. Everything else is here
# for the data team's day-to-day work. Run `make help` for the list.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.DEFAULT_GOAL := help
.PHONY: help install test test-unit lint portal-up portal-down portal-purge portal-status \
        browser-deps demo docs sample-data dbt-parse dictionary-check dictionary-generate dev serve \
        pipeline new-city publish-plan

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

# dbt's manifest for the configured city (PLATFORM_CITY_DIR; default: the sample city).
# The code location also re-parses by itself when the manifest is another city's.
DBT_SOURCES := $(shell find dbt $(if $(PLATFORM_CITY_DIR),$(PLATFORM_CITY_DIR)/dbt) \
                 -path '*/target' -prune -o \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) \
                 -print 2>/dev/null)
dbt/target/manifest.json: $(VENV)/.installed $(DBT_SOURCES)
	$(PY) -m dagster_project.cli.city parse

install: $(VENV)/.installed dbt/target/manifest.json  ## the pipeline's venv (.venv) and dbt manifest

dbt-parse: dbt/target/manifest.json  ## rebuild dbt's manifest (Dagster reads it)

dictionary-check: $(VENV)/.installed  ## validate the data dictionary; report drift of generated files
	$(PY) -m dagster_project.cli.dictionary check

dictionary-generate: $(VENV)/.installed  ## regenerate dbt docs, seeds and GX suites from the dictionary
	$(PY) -m dagster_project.cli.dictionary generate

docs: install  ## the data dictionary site for staff in data/docs (drafts included) and its public edition in data/docs_public (what <portal>/dictionary/ serves)
	$(PY) -m dagster_project.cli.dictionary site

sample-data: $(VENV)/.installed  ## write the fictional city's extracts into data/landing
	$(PY) -m sample_data --out data/landing

pipeline: install  ## materialize every asset once (ingest -> warehouse -> gates -> portal)
	$(PY) -m dagster_project.cli.pipeline

publish-plan: install  ## what the next publication would change on the portal (changes nothing)
	@$(PY) -m dagster_project.cli.publish_plan

new-city: $(VENV)/.installed  ## start your own city's folder: make new-city CITY_DIR=../our-city NAME="Town of X"
	@test -n "$(CITY_DIR)" || { echo "usage: make new-city CITY_DIR=../our-city NAME=\"Town of X\""; exit 2; }
	$(PY) -m dagster_project.cli.city new "$(CITY_DIR)" $(if $(NAME),--name "$(NAME)")

dev: install  ## the Dagster UI on http://127.0.0.1:3000 (with the runs of make demo/pipeline)
	$(PY) -m dagster_project.cli.serve dev

serve: install  ## run it for real: scheduler daemon (schedules, landing sensor, run queue) + UI
	$(PY) -m dagster_project.cli.serve serve

browser-deps:  ## headless Chromium and its driver for the browser tests (apt, when missing)
	@scripts/ensure-apt-packages chromium chromium-driver

portal-up:  ## install (first time) and start the local CKAN portal on 127.0.0.1
	@$(PYTHON) -m publish.portal up

portal-down:  ## stop the local portal's processes (only those it started)
	@$(PYTHON) -m publish.portal down

portal-purge:  ## stop the portal and delete its data (database, uploads, token)
	@$(PYTHON) -m publish.portal purge

portal-status:  ## what of the portal runs where
	@$(PYTHON) -m publish.portal status

# Two workers use both cores (a test is mostly one Python process); each has a portal of
# its own (tests/conftest.py). The tests marked serial change what the workers share (CKAN's
# venv, the dbt project's files): they run after, alone. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2

test: install browser-deps lint  ## set up and run every test (starts the local portal itself)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder -m "not serial"
	$(PY) -m pytest -m serial

test-unit: install  ## only the tests that need no portal
	$(PY) -m pytest -m "not portal and not browser"

lint: install  ## ruff (lint and format) over Python, sqlfluff over the dbt models
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/sqlfluff lint dbt

demo: install portal-up sample-data  ## set up and run the pipeline end to end on the sample data
	$(PY) -m dagster_project.cli.pipeline
