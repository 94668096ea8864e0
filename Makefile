# Desk Pilkada: `make run` serves the demo desk, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test install install-dev migrate seed lint format bench bench-submission bench-import bench-import-tps worker beat

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py runserver $(HOST)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks run in a throwaway test database; for PostgreSQL set DATABASE_URL, e.g.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilkada_desk make bench
bench: install-dev
	$(BIN)/python bench/rollup.py $(BENCH_ARGS)

# One submission's chain, every section, at national scale (bench/submission.py).
bench-submission: install-dev
	$(BIN)/python bench/submission.py $(BENCH_ARGS)

bench-import: install-dev
	$(BIN)/python bench/import_regions.py

# ~435,000 TPS (the national list) through preview and apply; prints rows per second.
bench-import-tps: install-dev
	$(BIN)/python bench/import_tps.py

worker: install
	$(BIN)/celery -A pilkada_desk worker --loglevel=INFO

beat: install
	$(BIN)/celery -A pilkada_desk beat --loglevel=INFO
