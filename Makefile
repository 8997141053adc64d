# The few commands a newcomer needs. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run smoke install migrate seed test test-bench test-browser test-worker lint format check bench faults loadtest messages clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# Serves the app with the demo data, plus a Celery worker with the beat
# embedded (-B); Ctrl-C stops all of them.
run: seed
	@echo "http://$(HOST):$(PORT)/  用户 office / 密码见 README；验证码：$(BIN)/python manage.py demo_otp office"
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	$(BIN)/celery -A xuncha worker -B --loglevel=INFO --concurrency=1 & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# What `make run` serves, signed into as office with the password and the demo code.
smoke: install
	$(BIN)/python scripts/smoke_signin.py

# Two test processes (pytest-xdist), each file in one of them; each has its own
# test database and data folder. The bench's own tests run in test-bench.
TEST_PROCESSES ?= 2

test: install
	XUNCHA_ENV=test $(BIN)/pytest -m "not browser and not bench" -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

test-bench: install
	XUNCHA_ENV=test $(BIN)/pytest -m bench $(PYTEST_ARGS)

test-browser: install
	XUNCHA_ENV=test $(BIN)/pytest -m browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: migrate
	$(BIN)/python manage.py bench --scale city $(BENCH_ARGS)

# The production shape on this machine (private PostgreSQL, Redis, gunicorn,
# worker, beat), faults made on purpose, figures printed; stops by itself.
faults: install
	$(BIN)/python scripts/faults.py $(FAULTS_ARGS)

# 100 simulated people (a sign-in rush, then 3 minutes of browsing) on the
# production shape; prints p50/p95/p99 per page and the load.* figures.
# 200 people: make loadtest LOADTEST_ARGS="--people 200"
loadtest: install
	$(BIN)/python scripts/loadtest.py $(LOADTEST_ARGS)

messages: install
	$(BIN)/python manage.py makemessages -l en --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages -l en --ignore '.venv/*'

clean:
	rm -rf var
