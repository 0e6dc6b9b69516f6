# agentlab: `make lab` to start, `make test` to check. `make help` lists every target.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install lab demo test lint bench notebooks report clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP) ## create .venv and install agentlab with its notebook and dev extras (idempotent)

lab: install ## open JupyterLab on the offline tour notebook (no key needed)
	$(BIN)/jupyter lab notebooks/00_tour.ipynb

demo: install ## run the offline demo in the terminal and print its trace
	$(BIN)/python -m agentlab demo

test: install ## run the whole test suite (offline; browser tests skip without chromium)
	$(BIN)/ruff check agentlab tests benchmarks
	$(BIN)/python -m pytest -q

lint: install ## ruff (lint + format check) and mypy --strict on agentlab/
	$(BIN)/ruff check agentlab tests benchmarks
	$(BIN)/ruff format --check agentlab tests benchmarks
	$(BIN)/mypy

BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]" || echo "peer frameworks not installed: the benchmarks will skip them"
	touch $(BENCH_STAMP)

bench: install $(BENCH_STAMP) ## overhead vs peers, parallel and trace scaling, import time (writes benchmarks/results/)
	$(BIN)/python benchmarks/overhead.py
	$(BIN)/python benchmarks/parallel_scaling.py
	$(BIN)/python benchmarks/trace_scaling.py
	$(BIN)/python benchmarks/import_time.py

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
