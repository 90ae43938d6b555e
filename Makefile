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

# The tests' npm tools, each folder pinned by its own package-lock.json and installed
# there and nowhere else; Node.js itself comes from Debian. schema-tools/: the schema's
# checks (Redocly, a generated TypeScript client). accessibility-tools/: axe-core, which
# the browser tests inject into the web client's pages.
NPM_TOOLS := schema-tools/node_modules/.installed-stamp \
	accessibility-tools/node_modules/.installed-stamp

%/node_modules/.installed-stamp: %/package.json %/package-lock.json
	cd $* && npm ci --no-audit --no-fund
	touch $@

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
test: lint typecheck $(NPM_TOOLS)
	$(BIN)/pytest -n auto --maxprocesses 4

# The inner loop: everything but the browser and the fault-injection tests, no lint.
test-fast: install $(NPM_TOOLS)
	$(BIN)/pytest -n auto --maxprocesses 4 -m "not browser and not faults"

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache schema-tools/node_modules \
		accessibility-tools/node_modules
