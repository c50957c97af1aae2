# Two commands: `make run` and `make test`. Both set up what they need first.
# `make run` installs only what the app needs (requirements.txt); `make test` adds the test and
# benchmark tools (requirements-dev.txt: pytest, ruff, playwright, hypothesis, duckdb).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
DB := data/hx.sqlite
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed

.PHONY: run test setup setup-dev demo lint bench bench-national clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --progress-bar on --upgrade pip

$(RUNTIME): requirements.txt | $(BIN)/python
	@echo "Installing the app's packages (requirements.txt)..."
	$(BIN)/pip install --progress-bar on -r requirements.txt
	touch $@

$(DEV): requirements-dev.txt requirements.txt $(RUNTIME)
	@echo "Installing the test and benchmark tools (requirements-dev.txt)..."
	$(BIN)/pip install --progress-bar on -r requirements-dev.txt
	touch $@

setup: $(RUNTIME)

setup-dev: $(DEV)

$(DB): | $(RUNTIME)
	$(BIN)/python -m hxcore build-demo

demo: setup
	$(BIN)/python -m hxcore build-demo

run: setup $(DB)
	$(BIN)/streamlit run app.py --server.port $(PORT)

lint: setup-dev
	$(BIN)/ruff check .

test: setup-dev lint
	$(BIN)/python -m pytest

bench: setup-dev $(DB)
	$(BIN)/python -m hxcore bench

bench-national: setup-dev
	$(BIN)/python -m hxcore bench --scale national

clean:
	rm -rf $(VENV) $(DB) data/hx-national-*.sqlite .pytest_cache .ruff_cache tests/artifacts
