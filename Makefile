# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint bench clean demo translations

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $(TEST_STAMP)

run: $(STAMP)
	@$(PY) scripts/check_qt_deps.py
	$(PY) main.py

test: $(TEST_STAMP)
	$(VENV)/bin/ruff check rnnviz tests benchmarks scripts main.py
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	OPENBLAS_NUM_THREADS=1 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check rnnviz tests benchmarks scripts main.py
	$(VENV)/bin/mypy

# Collect the UI strings, fill them from resources/i18n/ja/*.json, compile rnnviz_ja.qm
translations: $(STAMP)
	$(PY) scripts/update_translations.py

bench: $(STAMP)
	$(PY) benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
