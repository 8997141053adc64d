# The few commands a newcomer needs. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: field field-return field-clear run smoke install migrate seed test test-bench test-browser test-worker lint format check bench faults loadtest messages clean

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

# 单机系统, on a team's laptop: load the office's package into the laptop's own
# SQLite database (var/field/) and serve only the team's pages, with no worker.
#   make field PACKAGE=f.xcfield PASSPHRASE_FILE=pass.txt OFFICE_KEY=office.pem.pub
# then, after the stay: make field-return … OUT=return.xcfield; make field-clear …
FIELD_PORT ?= 8765
FIELD := XUNCHA_ENV=field $(BIN)/python manage.py

field: install
	@test -n "$(PACKAGE)" -a -n "$(PASSPHRASE_FILE)" -a -n "$(OFFICE_KEY)" || { echo "用法：make field PACKAGE=… PASSPHRASE_FILE=… OFFICE_KEY=…"; exit 1; }
	$(FIELD) field_load --package "$(PACKAGE)" --passphrase-file "$(PASSPHRASE_FILE)" --office-key "$(OFFICE_KEY)" || test -f var/field/field.sqlite3
	@echo "单机版：http://127.0.0.1:$(FIELD_PORT)/ （仅本组成员可登录）"
	$(FIELD) runserver --noreload 127.0.0.1:$(FIELD_PORT)

field-return: install
	$(FIELD) field_return --package "$(PACKAGE)" --passphrase-file "$(PASSPHRASE_FILE)" --out "$(OUT)"

field-clear: install
	$(FIELD) field_clear "$(PACKAGE)" $(RETURN) --record "$(RECORD)"
