# Two commands do all the set-up on a fresh clone:
#   make demo   build the demo status site into site/ (creates .venv first)
#   make test   run every test (installs test tools: Python extras, npm tools, chromium, jing)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo content is an example history around this moment; see README.md.
DEMO_NOW ?= 2026-11-23T15:00:00Z

.PHONY: demo serve test lint tools clean

# The demo and the tests run on the versions requirements.txt pins, as a status repository's CI
# installs them (`tidings pin` rewrites it).
$(BIN)/tidings: pyproject.toml requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.txt -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/tidings
	$(BIN)/pip install --quiet -c requirements.txt -e '.[test]'
	touch $@

demo: $(BIN)/tidings
	$(BIN)/tidings build --now $(DEMO_NOW)

serve: $(BIN)/tidings
	$(BIN)/tidings serve --now $(DEMO_NOW)

tools: $(VENV)/.test-deps
	./scripts/install-test-tools

test: tools
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf site $(VENV) node_modules .zensical-venv
