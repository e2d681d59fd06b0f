# The two commands of the README: `make run` (try it in a browser) and `make test` (what CI runs).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
PLAYGROUND_VERSION := 0.2.28
APP_MANIFEST_VERSION := 1.1.2

.PHONY: run test test-deps install bench fuzz lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

$(TOOLS)/playground/node_modules/@microsoft/m365agentsplayground/cli.js:
	npm install --silent --no-audit --no-fund --prefix $(TOOLS)/playground @microsoft/m365agentsplayground@$(PLAYGROUND_VERSION)

$(TOOLS)/npm/node_modules/@microsoft/app-manifest/package.json:
	npm install --silent --no-audit --no-fund --prefix $(TOOLS)/npm @microsoft/app-manifest@$(APP_MANIFEST_VERSION)

## Start the bot on SQLite with the demonstration data, and an Agents Playground per demo person to talk to it
## (AS=tara,sam: only those people, the first showing the team's channels).
run: install $(TOOLS)/playground/node_modules/@microsoft/m365agentsplayground/cli.js
	AS="$(AS)" bash scripts/run-demo.sh

## Everything the tests need: Python packages, the playground, the manifest schemas, Chromium.
test-deps: $(BIN)/python $(TOOLS)/playground/node_modules/@microsoft/m365agentsplayground/cli.js \
		$(TOOLS)/npm/node_modules/@microsoft/app-manifest/package.json
	$(BIN)/pip install --quiet -e ".[test]"
	bash scripts/install-chromium.sh

## The whole suite, on SQLite and PostgreSQL, end-to-end tests included.
test: test-deps
	$(BIN)/python -m pytest -q -ra

## 10,000 fuzzed activities and card payloads at the bot (every verb, the report steps, broken envelopes, junk):
## fails unless 5xx, tracebacks and typed values in the log all count 0.
fuzz: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/python -m tests.fuzz.run

lint: $(BIN)/python
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(TOOLS) var .pytest_cache
