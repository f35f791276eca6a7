# teachmp: every command a contributor needs.  The first target that needs
# the virtual environment creates it (.venv) and installs the project with
# its test and docs extras, so a fresh clone needs nothing else.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: help venv test docs docs-check serve bench test-all client-tests faults soak clean

help:
	@echo "make test      run the whole suite with coverage (creates .venv on first use)"
	@echo "               ARGS=\"tests/test_x.py -x\" runs a part; TEACHMP_TEST_WORKERS=0 runs serially"
	@echo "make docs      build the site in English and Japanese into docs/_build/html"
	@echo "make docs-check  load every page of the built site in headless Chromium"
	@echo "make serve     serve the built site on http://localhost:8000"
	@echo "make bench     run the benchmarks and the scaling series (teachmp vs stdlib vs the OS floor)"
	@echo "make test-all  run the suite on every Python 3.10-3.15 found (pyenv)"
	@echo "make client-tests  CPython's concurrent.futures and main-handling tests, and joblib's, pebble's and tqdm's own tests, stdlib vs teachmp (~10 min)"
	@echo "make faults    the whole fault matrix (stdlib hangs included); rewrites docs/reliability_matrix.md"
	@echo "make soak      10 minutes of traffic with random worker kills (MINUTES=2 for less)"
	@echo "make clean     remove build outputs"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/python tools/run_tests.py $(ARGS)

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
	$(BIN)/python -m benchmarks.scale

faults: $(STAMP)
	$(BIN)/python tests/faults/matrix.py --json docs/img/faults.json --markdown docs/reliability_matrix.md

MINUTES ?= 10
soak: $(STAMP)
	$(BIN)/python tools/soak.py --minutes $(MINUTES)


test-all:
	$(PYTHON) tools/test_all.py

# The whole of CPython's test_concurrent_futures process-pool classes and
# test_multiprocessing_main_handling, on the stdlib and on teachmp (make test
# runs a subset: tests/test_cpython_suites.py).
client-tests: $(STAMP)
	$(BIN)/python tools/run_cpython_tests.py --rerun
	$(BIN)/python tools/run_client_suites.py

clean:
	rm -rf docs/_build .coverage .coverage.* htmlcov .pytest_cache
