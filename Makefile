# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_ENV := DEBUG=1

.PHONY: run serve test lint fmt bench install system-deps messages migrate demo clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

system-deps:
	@./scripts/system-deps.sh

# The Vietnamese catalog (.po) is the source; the compiled .mo files are built here.
messages: install system-deps
	@$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv -v0

migrate: messages
	@mkdir -p var
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEV_ENV) $(BIN)/python manage.py load_demo

run: demo
	@echo "Serving on http://127.0.0.1:8000/ (demo logins above)"
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

node_modules/.installed: package.json
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null)
	npm install --silent --no-audit --no-fund
	@touch node_modules/.installed

test: messages node_modules/.installed
	$(BIN)/python -m pytest -n 2 -q

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lint: install
	@mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/mypy .
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

bench: install system-deps
	@for script in bench/bench_*.py; do $(DEV_ENV) $(BIN)/python $$script || exit 1; done

serve: messages
	./scripts/serve.sh

clean:
	rm -rf $(VENV) var
