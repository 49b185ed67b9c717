# Quick start: `make run`. Tests: `make test`. Everything runs inside .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in mail, JSON-LD, .ics and Atom point at the port `make run` serves on, unless set.
SITE_URL ?= http://127.0.0.1:$(PORT)
STAMP := $(VENV)/.installed

.PHONY: run test lint format worker beat install migrate demo demo-code collectstatic clean constraints

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs exactly the versions CI tested (constraints.txt), then the project itself.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(BIN)/python manage.py load_demo

# The current two-factor code for the demo staff accounts.
demo-code: install
	@DEBUG=1 $(BIN)/python manage.py demo_code

run: demo
	DEBUG=1 SITE_URL='$(SITE_URL)' $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

collectstatic: install
	DEBUG=1 $(BIN)/python manage.py collectstatic --noinput --verbosity 0

# Across every core (pytest-xdist); TEST_WORKERS=0 runs the tests one at a time in one process.
TEST_WORKERS ?= auto
test: collectstatic
	$(BIN)/python -m pytest --numprocesses $(TEST_WORKERS) --dist worksteal

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A iot_network worker --loglevel=INFO --concurrency=$${CELERY_CONCURRENCY:-2}

beat: install
	mkdir -p var
	$(BIN)/celery -A iot_network beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# Re-pin after changing dependencies in pyproject.toml; commit the result.
constraints: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade -e ".[dev]"
	( echo "# Frozen versions that CI tested. Refresh with: make constraints"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -vi '^iot-network-portal' ) > constraints.txt
