# Two commands: `make run` and `make test`. Both set up what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
DB := data/hx.sqlite

.PHONY: run test setup demo lint bench bench-national clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

setup: $(BIN)/activate

$(DB): | $(BIN)/activate
	$(BIN)/python -m hxcore build-demo

demo: setup
	$(BIN)/python -m hxcore build-demo

run: setup $(DB)
	$(BIN)/streamlit run app.py --server.port $(PORT)

lint: setup
	$(BIN)/ruff check .

test: setup lint
	$(BIN)/python -m pytest

bench: setup $(DB)
	$(BIN)/python -m hxcore bench

bench-national: setup
	$(BIN)/python -m hxcore bench --scale national

clean:
	rm -rf $(VENV) $(DB) data/hx-national-*.sqlite .pytest_cache .ruff_cache tests/artifacts
