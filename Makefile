# CoP CMS: `make run` serves with the seed content, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: help run test test-sqlite test-postgres bench schema check clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## make .venv and install the project into it

run: $(STAMP) ## migrate, load the seed content if the database is empty, serve on $CMS_HOST:$CMS_PORT
	$(BIN)/cms serve

# One worker per core: each worker has its own database and data dir.
PYTEST := $(BIN)/python -m pytest -n auto

test: $(STAMP) ## the whole suite (on PostgreSQL when CMS_TEST_DATABASE_URL is set)
	$(PYTEST)

test-sqlite: $(STAMP) ## the suite on SQLite
	CMS_TEST_DATABASE_URL= $(PYTEST)

test-postgres: $(STAMP) ## the suite on the local PostgreSQL server
	CMS_TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST)

bench: $(STAMP) ## the API benchmark against a bare Starlette ceiling
	$(BIN)/python -m bench.api

schema: $(STAMP) ## write schema.graphql from the code
	$(BIN)/cms export-schema -o schema.graphql

check: $(STAMP) ## lint, format check, type check and the import contracts (pyproject.toml [tool.importlinter])
	$(BIN)/ruff check cms schema search_index media seeds importers sites tests bench
	$(BIN)/ruff format --check cms schema search_index media seeds importers sites tests bench
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy cms media search_index seeds importers schema sites

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) var .mypy_cache .ruff_cache .import_linter_cache .grimp_cache
