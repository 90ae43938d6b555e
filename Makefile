# `make run` and `make test` are all a newcomer needs; both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint typecheck openapi clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Byte-compiled first: where PYTHONDONTWRITEBYTECODE is set, Python would otherwise
# compile every module of app/ from source at each start (only changed ones are redone).
# Another port: `make run PORT=8001`.
PORT ?= 8000
run: install
	$(BIN)/python -m compileall -q app
	$(BIN)/followup serve --host 127.0.0.1 --port $(PORT)

lint: install
	$(BIN)/ruff check app tests alembic $(wildcard bench)
	$(BIN)/ruff format --check app tests alembic $(wildcard bench)

typecheck: install
	$(BIN)/mypy

# One worker per core (at most four): every worker makes its own throwaway databases,
# browser and fault-test cluster, so more would only crowd the database server.
test: lint typecheck
	$(BIN)/pytest -n auto --maxprocesses 4

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
