# agentlab: `make lab` to start, `make test` to check. `make help` lists every target.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LAB_STAMP := $(VENV)/.lab-stamp
# the kit needs Python 3.11+; a .venv built with an older Python is rebuilt
PY_OK = import sys; sys.exit(sys.version_info < (3, 11))
define VENV_CHECK
	@$(PYTHON) -c "$(PY_OK)" 2>/dev/null || { echo "agentlab needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1). Run: make PYTHON=python3.11 (or newer)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
endef
# a .venv made with an older Python (say 3.10, where pip fails) is removed before any target runs
ifeq ($(shell test -x $(BIN)/python && ! $(BIN)/python -c "$(PY_OK)" 2>/dev/null && echo stale),stale)
$(info rebuilding .venv: it was made with $(shell $(BIN)/python -V 2>&1); agentlab needs Python 3.11+)
$(shell rm -rf $(VENV))
endif

.DEFAULT_GOAL := help
.PHONY: help install lab-install lab demo test lint bench notebooks report clean local-model

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(VENV_CHECK)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP) ## create .venv and install agentlab with its notebook and dev extras (idempotent)

# the workshop install: runtime + JupyterLab only (no playwright, mypy, ruff, pytest)
$(LAB_STAMP): pyproject.toml
	$(VENV_CHECK)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(LAB_STAMP)

lab-install: $(LAB_STAMP) ## create .venv with what the notebooks need only (the workshop install)

lab: lab-install ## open JupyterLab on the offline tour notebook (no key needed)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_tour.ipynb

demo: install ## run the offline demo in the terminal and print its trace
	$(BIN)/python -m agentlab demo

# notebooks run offline: no keys reach their kernels, recordings replay, nothing records
OFFLINE := env -u ANTHROPIC_API_KEY -u OPENAI_API_KEY -u AGENTLAB_MODEL AGENTLAB_CASSETTE_MODE=replay

test: install ## run the whole test suite, then every notebook with nbval (offline; browser tests skip without chromium)
	$(BIN)/ruff check agentlab tests benchmarks
	$(BIN)/python -m pytest -q
	$(OFFLINE) $(BIN)/python -m pytest -q --nbval-lax notebooks

lint: install ## ruff (lint + format check) and mypy --strict on agentlab/
	$(BIN)/ruff check agentlab tests benchmarks
	$(BIN)/ruff format --check agentlab tests benchmarks
	$(BIN)/mypy

BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]" || echo "peer frameworks not installed: the benchmarks will skip them"
	touch $(BENCH_STAMP)

bench: install $(BENCH_STAMP) ## overhead vs peers, parallel, trace and diagnose scaling, import time (writes benchmarks/results/)
	$(BIN)/python benchmarks/overhead.py
	$(BIN)/python benchmarks/parallel_scaling.py
	$(BIN)/python benchmarks/trace_scaling.py
	$(BIN)/python benchmarks/diagnose_scaling.py
	$(BIN)/python benchmarks/import_time.py

notebooks: install ## re-execute notebooks/*.ipynb in place, offline (no keys), to commit them executed
	$(OFFLINE) $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.store_widget_state=False --ExecutePreprocessor.record_timing=False \
	  --ExecutePreprocessor.timeout=120 notebooks/[0-9][0-9]_*.ipynb notebooks/solutions/[0-9][0-9]_*.ipynb
	$(BIN)/python -m agentlab.export.notebook_format notebooks/[0-9][0-9]_*.ipynb notebooks/solutions/[0-9][0-9]_*.ipynb

report: install ## execute notebooks/*.ipynb and write offline HTML reports into reports/
	$(BIN)/python -m agentlab.export.report notebooks reports

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

LOCAL_MODEL_VENV ?= $(VENV)/local-model
LOCAL_MODEL_PORT ?= 8080
LOCAL_MODEL_HOST ?= 127.0.0.1
LOCAL_MODEL := $(PYTHON) scripts/local_model.py --venv $(LOCAL_MODEL_VENV)

local-model: ## serve SmolLM2-135M on 127.0.0.1:8080 (LOCAL_MODEL_PORT, LOCAL_MODEL_HOST), no key; first build ~5 min (more on a busy machine), needs cc + cmake
	$(LOCAL_MODEL) --host $(LOCAL_MODEL_HOST) --port $(LOCAL_MODEL_PORT)

test-real: install ## real-model path end to end: local model on a free port, provider tests, every notebook's real cells
	$(PYTHON) scripts/test_real.py --python $(BIN)/python --venv $(LOCAL_MODEL_VENV)
