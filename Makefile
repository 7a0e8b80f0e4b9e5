# brandpulse: two commands do all the set-up on a fresh machine.
#   make demo   creates .venv, installs, prepares Airflow, runs the demo through Airflow
#   make test   same set-up, then ruff, mypy and the whole test suite
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# The compiled scoring core, built in place for development and tests (scripts/build_core.py).
CORE_STAMP := $(VENV)/.built-core
# The S3-compatible server the storage tests start (moto, in a virtualenv of its own).
S3_VENV := .venv-s3
S3_STAMP := $(S3_VENV)/.installed

.PHONY: help venv s3-server build-core demo demo-local test lint format typecheck unit chromium bench eval airflow airflow-prepare cluster cluster-stop clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(DEV_STAMP): requirements-dev.txt $(STAMP)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

$(S3_STAMP): requirements-s3-server.txt
	$(PYTHON) -m venv $(S3_VENV)
	$(S3_VENV)/bin/pip install --quiet -r requirements-s3-server.txt
	@touch $@

s3-server: $(S3_STAMP)  ## install the S3 test server (moto) into .venv-s3

# Without a C compiler this fails with one line and the pure-Python core runs instead.
$(CORE_STAMP): pipeline/scoring/_core.pyx pipeline/scoring/_core_match.pxi scripts/build_core.py $(DEV_STAMP)
	$(BIN)/python scripts/build_core.py
	@touch $@

build-core: $(CORE_STAMP)  ## compile the scoring core in place (Cython, gcc -O2 -ffp-contract=off)

venv: $(STAMP)  ## create .venv and install the pinned requirements and brandpulse

demo: $(STAMP)  ## run the pipeline on the demo data through Airflow, then print a summary
	$(BIN)/brandpulse demo

demo-local: $(STAMP)  ## the same demo without Airflow (library only)
	$(BIN)/brandpulse demo --engine local

lint: $(DEV_STAMP)  ## ruff (lint + format check)
	$(BIN)/ruff check pipeline dags tests benchmarks
	$(BIN)/ruff format --check pipeline dags tests benchmarks

format: $(DEV_STAMP)  ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix pipeline dags tests benchmarks
	$(BIN)/ruff format pipeline dags tests benchmarks

typecheck: $(DEV_STAMP)  ## mypy (strict) on pipeline/ and benchmarks/
	$(BIN)/mypy

chromium:  ## install headless Chromium for the layout tests when missing (apt-get, as root)
	bash scripts/install_chromium.sh

test: lint typecheck $(CORE_STAMP) $(S3_STAMP) chromium  ## ruff, mypy, then the whole pytest suite
	$(BIN)/pytest

unit: $(CORE_STAMP) $(S3_STAMP) chromium  ## only the fast tests (no real Airflow)
	$(BIN)/pytest -m "not airflow"

POSTS ?= 1000000
DATA ?= ../shared/data
NAB_SCORER ?= $(DATA)/../tools/nab_score.py

bench: $(STAMP)  ## the performance benchmark from benchmarks/ (POSTS=1000000)
	$(BIN)/brandpulse bench --posts $(POSTS)

eval: $(STAMP)  ## scorer and spike detector on evaluation data (DATA=folder, NAB_SCORER=file)
	$(BIN)/brandpulse eval --data $(DATA) --nab-scorer $(NAB_SCORER)

airflow-prepare: $(STAMP)  ## create/upgrade Airflow's metadata database and the warehouse pool
	$(BIN)/brandpulse airflow

airflow: airflow-prepare  ## Airflow UI + scheduler on http://127.0.0.1:8080 (no login); Ctrl-C stops it
	$(BIN)/brandpulse airflow standalone

# Cluster mode on one machine (docs/deployment.md): state, logs and pids under CLUSTER_DIR.
CLUSTER_DIR ?= var/cluster

cluster: $(STAMP) $(S3_STAMP)  ## PostgreSQL, Redis, S3 (moto), Airflow with two Celery workers; stop: make cluster-stop
	bash scripts/cluster/cluster.sh up $(CLUSTER_DIR)

cluster-stop:  ## stop what `make cluster` started (its state stays in CLUSTER_DIR)
	bash scripts/cluster/cluster.sh down $(CLUSTER_DIR)

clean:  ## remove runtime state (var/) and the in-place build of the scoring core; keeps .venv
	rm -rf var build pipeline/scoring/_core.c pipeline/scoring/_core.*.so $(CORE_STAMP)
