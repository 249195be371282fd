# `make run` sets everything up and serves the app; `make test` sets everything up and tests it;
# `make stack` sets up and serves a production-like deployment at https://127.0.0.1:8443.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
TEST_DATABASE_URL ?= postgresql+psycopg2://postgres@127.0.0.1:5432/clicktomice_test
export PATH := $(CURDIR)/$(BIN):$(PATH)
# The app defaults to production; these local commands (and the processes `make run` starts)
# choose development unless the environment already chose.
export APP_ENV ?= development
# Where the processes of `make run` (web workers, worker, scheduler) share their metrics; emptied
# at each start, so the counters begin at zero with the processes.
METRICS_DIR ?= $(CURDIR)/.run/metrics

TRANSLATIONS := app/translations

.PHONY: run test setup lint bench bench-web chromium wrk translations stack stack-stop deploy soak \
	stack-packages stack-certificate

run: setup
	@rm -rf $(METRICS_DIR) && mkdir -p $(METRICS_DIR)
	PROMETHEUS_MULTIPROC_DIR=$(METRICS_DIR) $(BIN)/honcho -f Procfile.dev start

test: setup chromium stack-packages
	$(BIN)/pytest

setup: $(VENV)/.installed
	@$(BIN)/pybabel -q compile -d $(TRANSLATIONS)
	@$(FLASK) ensure-services --database-url $(TEST_DATABASE_URL)
	@$(FLASK) db upgrade
	@$(FLASK) seed-user

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

chromium:
	@test -x /usr/bin/chromium || { echo "Installing Chromium from Debian's packages"; \
		apt-get install -y -q chromium >/dev/null 2>&1 || \
		{ apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; }

# After changing a text in the code or the templates: re-read every text into messages.pot and
# bring each language's messages.po up to date; then translate what is new in the .po files.
translations: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k _nl:1,2 --no-location \
		--sort-output --add-comments=Translators: -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup bench-web
	$(BIN)/python -m bench.sync_bench

# The web tier over real HTTP: the dashboard against a trivial page, then a thousand live streams.
bench-web: setup wrk
	$(BIN)/python -m bench.http_bench
	$(BIN)/python -m bench.live_bench

wrk:
	@command -v wrk >/dev/null || { echo "Installing wrk from Debian's packages"; \
		apt-get install -y -q wrk >/dev/null 2>&1 || \
		{ apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }

# A production-like deployment on this machine (deploy/stack.py, deploy/SCALING.md): nginx with
# TLS on 8443, two web hosts, PgBouncer, a worker per host, a scheduler and the sandbox, as
# production runs them; Ctrl-C stops all. Its run directory (STACK_DIR, .stack/) holds its
# configurations, certificate, secret key, pids and logs.
STACK_DIR ?= $(CURDIR)/.stack
export STACK_DIR

stack: $(VENV)/.installed stack-packages stack-certificate
	@$(BIN)/pybabel -q compile -d $(TRANSLATIONS)
	$(BIN)/python -m deploy.stack run

stack-stop:
	$(BIN)/python -m deploy.stack stop

# Each host in turn, without closing its port; the migrations first (README, "Deploys").
deploy: $(VENV)/.installed
	$(BIN)/python -m deploy.stack deploy

# The soak (bench/soak.py, bench/README.md): 30 minutes of customers and faults through a stack of
# its own (ports 8300-8399); run on purpose on a quiet machine. SOAK_ARGS for a shorter run, e.g.
# SOAK_ARGS="--minutes 4 --first-fault 30 --fault-every 30 --provider-outage 20".
soak: $(VENV)/.installed stack-packages
	@$(BIN)/pybabel -q compile -d $(TRANSLATIONS)
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

stack-certificate: $(STACK_DIR)/tls/cert.pem

$(STACK_DIR)/tls/cert.pem:
	@mkdir -p $(STACK_DIR)/tls
	openssl req -x509 -nodes -days 825 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
		-keyout $(STACK_DIR)/tls/key.pem -out $@ 2>/dev/null
	@chmod 600 $(STACK_DIR)/tls/key.pem

stack-packages:
	@test -x /usr/sbin/nginx -a -x /usr/sbin/pgbouncer || { \
		echo "Installing nginx and PgBouncer from Debian's packages"; \
		apt-get install -y -q nginx pgbouncer >/dev/null 2>&1 || \
		{ apt-get update -q >/dev/null && apt-get install -y -q nginx pgbouncer >/dev/null; }; }
