# Cercle's two commands: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# The generated community beside the bilingual demo: small, so that `make run` starts fast.
DEMO_ARGS ?= --members 200 --months 12 --seed 1
# Tests run on both cores; set PYTEST_ARGS="-n 0" to run them in one process. The 25
# slowest tests are listed at the end, so that CI logs show where the time goes.

.PHONY: help setup run test lint typecheck pytest system-deps test-deps matrix-deps messages vendor screenshots clean

help:
	@echo "make run    set up, then serve Cercle with a demo on http://127.0.0.1:8000"
	@echo "make test   set up, then lint, type check and run all tests"
	@echo "make messages  refresh the French translation catalogue after changing strings"
	@echo "make vendor    refresh the vendored front-end packages (needs npm)"
	@echo "make screenshots  full-page pictures of the key pages into var/screenshots/"

# Reinstall only when the dependencies change.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Cercle needs Python 3.11 or newer; set PYTHON=python3.x")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

system-deps:
	@scripts/system-deps.sh

run: setup
	$(BIN)/cercle migrate --noinput
	$(BIN)/cercle collectstatic --noinput --verbosity 0
	$(BIN)/cercle demo --if-empty $(DEMO_ARGS)
	@echo "Open http://127.0.0.1:8000/"
	$(BIN)/cercle serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo --no-cache
	$(BIN)/djlint cercle --lint --quiet

typecheck: setup
	$(BIN)/mypy cercle tests

# The identity providers the browser journeys sign in through (tests/idp/): installed
# from their lock files when missing.
test-deps: system-deps matrix-deps
	@test -d tests/idp/oidc/node_modules/oidc-provider || npm ci --prefix tests/idp/oidc --no-audit --no-fund

# Synapse, the Matrix homeserver the chat bridge tests start (tests/matrix_server.py), in
# its own virtualenv so that its dependencies never meet Cercle's.
MATRIX_VENV := tests/matrix/.venv
$(MATRIX_VENV)/.installed: tests/matrix/requirements.txt
	@test -x $(MATRIX_VENV)/bin/python || $(PYTHON) -m venv $(MATRIX_VENV)
	$(MATRIX_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/matrix/requirements.txt
	@touch $@

matrix-deps: $(MATRIX_VENV)/.installed

pytest: setup system-deps test-deps
	$(BIN)/pytest -n 2 --durations=25 $(PYTEST_ARGS)

test: lint typecheck pytest

messages: setup
	cd cercle && ../$(BIN)/cercle makemessages --locale fr --no-obsolete --add-location file
	cd cercle && ../$(BIN)/cercle makemessages --locale fr --domain djangojs --no-obsolete --add-location file
	$(BIN)/cercle compilemessages --ignore '.venv'

vendor:
	scripts/vendor.sh

# Its own demo site under var/screenshots/site: never the database of `make run`.
screenshots: setup system-deps
	$(BIN)/python scripts/screenshots.py $(SCREENSHOTS_ARGS)

clean:
	rm -rf $(VENV) var/static .pytest_cache .mypy_cache .ruff_cache
