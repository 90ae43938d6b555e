# `make run` and `make test` are all a newcomer needs; both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test test-fast lint typecheck openapi clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The schema's checks (Redocly, a generated TypeScript client) use the npm tools pinned
# in schema-tools/, installed there and nowhere else; Node.js itself comes from Debian.
SCHEMA_TOOLS := schema-tools/node_modules/.installed-stamp

$(SCHEMA_TOOLS): schema-tools/package.json schema-tools/package-lock.json
	cd schema-tools && npm ci --no-audit --no-fund
	touch $(SCHEMA_TOOLS)

# Another port: `make run PORT=8001`.
PORT ?= 8000
run: install
	$(BIN)/followup serve --host 127.0.0.1 --port $(PORT)

lint: install
	$(BIN)/ruff check app tests alembic $(wildcard bench)
	$(BIN)/ruff format --check app tests alembic $(wildcard bench)

typecheck: install
	$(BIN)/mypy

# One worker per core (at most four): every worker makes its own throwaway databases,
# browser and fault-test cluster, so more would only crowd the database server.
test: lint typecheck $(SCHEMA_TOOLS)
	$(BIN)/pytest -n auto --maxprocesses 4

# The inner loop: everything but the browser and the fault-injection tests, no lint.
test-fast: install $(SCHEMA_TOOLS)
	$(BIN)/pytest -n auto --maxprocesses 4 -m "not browser and not faults"

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache schema-tools/node_modules
