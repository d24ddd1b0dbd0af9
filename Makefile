# Set-up and everyday commands. `make run` and `make test` create .venv themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

AIRFLOW_VENV := .venv-airflow
# pytest-xdist workers for `make test` (CI has 2 cores; most tests wait on Beam, subprocesses or
# sleeps). worksteal: each worker takes a contiguous half of the tests and steals from the other's
# tail when idle, so a file's module fixtures (one lake, one server) mostly run once.
# PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2

.PHONY: install browser airflow run test lint format bench-langid bench-encodings clean

$(BIN)/spindrift: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

install: $(BIN)/spindrift

run: install
	$(BIN)/spindrift ingest --output $(OUT)
	$(BIN)/spindrift query $(OUT) "select language, published_date, count(*) as articles from articles group by all order by all"

# Headless Chromium for the report's browser test (tests/test_report.py). As root on Debian
# (CI) it is installed; elsewhere that one test skips and says how to install it.
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || \
	      echo "chromium could not be installed: the report's browser test will skip"; \
	  else \
	    echo "no chromium: the report's browser test will skip (Debian: apt-get install chromium)"; \
	  fi

# Airflow in its own virtualenv, for tests/test_deploy.py's DagBag and operator checks (its pins
# conflict with Beam's). Installed with uv (from PyPI): measured 1m14s from a cold cache, where
# pip took 6-10 min to resolve the same pins. A failed install leaves those tests to skip.
$(AIRFLOW_VENV)/.installed: deploy/airflow/requirements.txt
	rm -rf $(AIRFLOW_VENV)
	$(PYTHON) -m venv $(AIRFLOW_VENV)
	if $(AIRFLOW_VENV)/bin/python -m pip install --quiet uv && \
	  $(AIRFLOW_VENV)/bin/uv pip install --quiet --python $(AIRFLOW_VENV)/bin/python \
	    -r deploy/airflow/requirements.txt; then \
	  touch $@; \
	else \
	  rm -rf $(AIRFLOW_VENV); echo "Airflow could not be installed: the DAG tests will skip"; \
	fi

airflow: $(AIRFLOW_VENV)/.installed

test: install browser airflow
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist worksteal

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-langid: install
	$(BIN)/python benchmarks/langid_accuracy.py --testset ../shared/corpora/langid/testset.jsonl

bench-encodings: install
	$(BIN)/python benchmarks/encodings.py --testset ../shared/corpora/langid/testset.jsonl

clean:
	rm -rf $(VENV) $(AIRFLOW_VENV) $(OUT) .pytest_cache .ruff_cache
