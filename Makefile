# The two set-up commands of the README: `make demo` and `make test`.
# Both create .venv from the Python 3.11+ on PATH and install the package into it.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: demo test test-slow test-all test-fast test-nojit test-min lint bench docs figures clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# Stamps record which extras are installed; they are redone when the metadata changes.
$(VENV)/.stamp-core: pyproject.toml setup.cfg | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml setup.cfg | $(BIN)/python
	$(PIP) install -e ".[test]"
	touch $@ $(VENV)/.stamp-core

$(VENV)/.stamp-bench: pyproject.toml setup.cfg | $(BIN)/python
	$(PIP) install -e ".[test,bench]"
	touch $@ $(VENV)/.stamp-test $(VENV)/.stamp-core

$(VENV)/.stamp-docs: pyproject.toml setup.cfg | $(BIN)/python
	$(PIP) install -e ".[docs]"
	touch $@ $(VENV)/.stamp-core

## demo: install the package and run the audit demo on the bundled COMPAS data
demo: $(VENV)/.stamp-core
	$(BIN)/multiplicity demo

## test: ruff, the test suite (JIT on), then once more with NUMBA_DISABLE_JIT=1 under coverage,
## with MULTIPLICITY_NUMBA_MIN_SIZE=0 so that every input runs the kernels (not their NumPy twins)
test: $(VENV)/.stamp-test lint test-fast test-nojit

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check .

test-fast: $(VENV)/.stamp-test
	$(BIN)/pytest -m "not slow" -q

test-nojit: $(VENV)/.stamp-test
	NUMBA_DISABLE_JIT=1 MULTIPLICITY_NUMBA_MIN_SIZE=0 $(BIN)/pytest -m "not slow" -q -p no:cacheprovider \
		--cov=multiplicity --cov-branch --cov-report=term:skip-covered \
		--cov-report=xml:coverage.xml
	$(BIN)/python tools/kernel_coverage.py coverage.xml

## test-slow: only the tests marked slow (the exact MIP values, paper-size checks, peers'
## default settings); .ci/run runs it after `make test`. Tests that need the GPL COMPAS files
## read them from $$MULTIPLICITY_EXTRA_DATA and skip, saying so, when it is unset.
test-slow: $(VENV)/.stamp-test
	$(BIN)/pytest -m slow -q -p no:cacheprovider

## test-all: everything, including tests marked slow
test-all: $(VENV)/.stamp-test lint
	$(BIN)/pytest -q

# The minimum-versions venv: pip cannot resolve to lowest versions, so tools/min_constraints.py
# turns each runtime `name>=X` of pyproject.toml (and of the dask extra) into a `name==X`
# constraint. The floors are the oldest releases with Python 3.11 wheels that the code runs on
# (scipy 1.11.0 and pandas 2.1.0 predate Python 3.12), so this venv is built with
# python3.11. The test tools and peers (pytest, hypothesis, crowd-kit, nltk, krippendorff,
# mkdocs) are not pinned to floors: pip picks their newest releases that accept the pinned
# numpy/pandas/scikit-learn, except the few held back in tools/min_constraints.py (HELD_BACK).
# The venv is rebuilt from scratch when pyproject changes.
VENV_MIN := .venv-min
PYTHON_MIN ?= $(shell command -v python3.11 || echo python3.11)

$(VENV_MIN)/.stamp-min: pyproject.toml setup.cfg tools/min_constraints.py
	rm -rf $(VENV_MIN)
	$(PYTHON_MIN) -m venv $(VENV_MIN)
	$(VENV_MIN)/bin/python -m pip --disable-pip-version-check install --upgrade pip
	$(VENV_MIN)/bin/python tools/min_constraints.py --extra dask > $(VENV_MIN)/constraints.txt
	$(VENV_MIN)/bin/python -m pip --disable-pip-version-check install \
		-c $(VENV_MIN)/constraints.txt -e ".[test]"
	$(VENV_MIN)/bin/python -m pip --disable-pip-version-check check
	touch $@

## test-min: the fast suite with every runtime dependency at its declared floor (in .venv-min,
## with its own Numba cache so that the kernels cached for .venv are left alone)
test-min: $(VENV_MIN)/.stamp-min
	NUMBA_CACHE_DIR=$(VENV_MIN)/numba-cache $(VENV_MIN)/bin/pytest -m "not slow" -q \
		-p no:cacheprovider

## bench: side-by-side benchmarks against NumPy references / peer libraries
bench: $(VENV)/.stamp-bench
	$(BIN)/python benchmarks/run_all.py

## figures: regenerate the paper figures (examples/paper_figures/) into docs/figures/, small size
## (MULTIPLICITY_PAPER_SIZE=1 make figures: the papers' sizes, hours for the MIP figure)
FIGURE_SCRIPTS := $(sort $(wildcard examples/paper_figures/fig_*.py))
figures: $(VENV)/.stamp-core
	@set -e; for script in $(FIGURE_SCRIPTS); do \
		echo "== $$script"; $(BIN)/python $$script; done

## annotator-table: the GoEmotions table of docs/annotator_models.md (AnnotatorEmbeddingClassifier
## against text-only and per-annotator-bias baselines; 3 splits x 3 seeds, a few minutes)
.PHONY: annotator-table
annotator-table: $(VENV)/.stamp-core
	$(BIN)/python examples/annotator_models_table.py

## judge-example: the GoEmotions example of docs/judges.md (a classifier judged against the raters:
## the alternative annotator test, agreement with intervals, arbitrariness across ten seeds);
## writes docs/img/goemotions_judge.png and prints the numbers the page quotes (seconds)
.PHONY: judge-example
judge-example: $(VENV)/.stamp-core
	MULTIPLICITY_FIGURE_DIR=docs/img $(BIN)/python examples/06_automatic_annotators/plot_goemotions_judge.py

## docs: build the documentation site into site/ (mkdocs build --strict: warnings are errors)
docs: $(VENV)/.stamp-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) $(VENV_MIN) build dist site *.egg-info .pytest_cache .hypothesis .coverage coverage.xml
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
