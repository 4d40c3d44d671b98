# Two commands: `make run` (set up everything and serve the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint install migrate demo vendor worker beat clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(BIN)/python manage.py load_demo

run: demo
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/ — sign in as one of the demo users above."
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The suite runs on every core (pytest-xdist; TEST_WORKERS=0 runs it in one process). Each worker
# has its own test database (test_<name>_gw0, _gw1, ... on PostgreSQL) and its own live server
# and Chromium; pytest-django still runs each worker's transactional (browser) tests after the
# others, so a flush never takes migration data from a test that reads it. Tests are handed
# out two at a time (--maxschedchunk): by default a worker is given a long run of the suite's
# last tests (the browser crawls) while the other, its share done, waits for it (7 minutes).
TEST_WORKERS ?= auto
test: lint
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxschedchunk 2

# Celery worker and beat for local use against REDIS_URL (see README).
worker: install
	DEBUG=1 $(BIN)/celery -A sscb worker --loglevel=INFO

beat: install
	DEBUG=1 $(BIN)/celery -A sscb beat --loglevel=INFO

# Refresh static/vendor/ from the exact versions in package.json (needs node and npm). axe-core is
# for the accessibility test (sscb/tests/test_accessibility_browser.py); no page loads it.
vendor:
	npm install --no-audit --no-fund
	mkdir -p static/vendor/bootstrap static/vendor/htmx
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/
	cp node_modules/bootstrap/LICENSE static/vendor/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx/
	mkdir -p static/vendor/chartjs
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map node_modules/chart.js/LICENSE.md static/vendor/chartjs/
	mkdir -p static/vendor/axe-core
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE static/vendor/axe-core/

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-results .pytest_cache
