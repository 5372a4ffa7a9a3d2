# The two commands a new user needs: `make demo` and `make test`. Everything else is here
# for the data team's day-to-day work. Run `make help` for the list.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.DEFAULT_GOAL := help
.PHONY: help install test test-unit lint portal-up portal-down portal-purge portal-status \
        browser-deps demo

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed  ## create the pipeline's venv (.venv) with pinned dependencies

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

test: install browser-deps  ## set up and run every test (starts the local portal itself)
	$(PY) -m pytest

test-unit: install  ## only the tests that need no portal
	$(PY) -m pytest -m "not portal and not browser"

lint: install  ## ruff
	$(PY) -m ruff check .

demo: install portal-up  ## set up and run the pipeline end to end on the sample data
	@echo "The pipeline itself arrives with the next issue; the portal is up: make portal-status"
