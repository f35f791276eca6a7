# teachmp: every command a contributor needs.  The first target that needs
# the virtual environment creates it (.venv) and installs the project with
# its test and docs extras, so a fresh clone needs nothing else.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: help venv test docs docs-check serve bench test-all client-tests clean

help:
	@echo "make test      run the whole suite with coverage (creates .venv on first use)"
	@echo "make docs      build the site in English and Japanese into docs/_build/html"
	@echo "make docs-check  load every page of the built site in headless Chromium"
	@echo "make serve     serve the built site on http://localhost:8000"
	@echo "make bench     run the benchmarks (teachmp vs stdlib vs the OS floor)"
	@echo "make test-all  run the suite on every Python 3.10-3.13 found (pyenv)"
	@echo "make client-tests  joblib's, pebble's and tqdm's own tests on the stdlib and on teachmp"
	@echo "make clean     remove build outputs"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/python tools/run_tests.py

docs: $(STAMP)
	$(BIN)/python tools/build_docs.py

docs-check: $(STAMP)
	@test -d docs/_build/html/en -a -d docs/_build/html/ja || $(MAKE) docs
	$(BIN)/python tools/docs_check.py

serve:
	@test -d docs/_build/html || $(MAKE) docs
	@echo "serving docs/_build/html on http://localhost:8000 (Ctrl-C to stop)"
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory docs/_build/html

bench: $(STAMP)
	$(BIN)/python -m benchmarks

client-tests: $(STAMP)
	$(BIN)/python tools/run_client_suites.py

test-all:
	$(PYTHON) tools/test_all.py

clean:
	rm -rf docs/_build .coverage .coverage.* htmlcov .pytest_cache
