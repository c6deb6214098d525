# Two commands on a fresh clone: `make run` and `make test`. Both create or update .venv/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
VAR := var
# What `make run` did once is not done again until its sources change: these files record it.
# The database steps are recorded per database (DATABASE_URL), and redone when the default
# SQLite file is gone.
DB_KEY := $(shell printf '%s' "$$DATABASE_URL" | cksum | cut -d' ' -f1)
MIGRATED := $(VAR)/make/migrated-$(DB_KEY)
DEMO := $(VAR)/make/demo-$(DB_KEY)
DB_FILE_GONE := $(if $(DATABASE_URL),,$(if $(wildcard $(VAR)/db.sqlite3),,always))
CATALOGUES := $(wildcard locale/*/LC_MESSAGES/django.po)

.PHONY: run test lint bench bench-scale mutate install messages translations migrate clean always

# CI machines run PostgreSQL and Redis on 127.0.0.1: the suite uses them instead of the defaults.
ifeq ($(CI),true)
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
export TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
export TEST_CELERY_BROKER_URL ?= $(TEST_REDIS_URL)
endif

# The first install takes a minute or two: each step says what it does, and pip names each package.
$(INSTALLED): pyproject.toml
	@echo "Installing into $(VENV)/ (the first time takes a minute or two; later runs skip this)"
	$(PYTHON) -m venv $(VENV)
	@echo "Updating pip"
	$(BIN)/pip install --quiet --upgrade pip
	@echo "Installing the portal and its test tools"
	$(BIN)/pip install ".[test]"
	@touch $(INSTALLED)
	@echo "Installed."

install: $(INSTALLED)

# Compiled message catalogues are build output, made from each .po file that changed (what
# `manage.py compilemessages` runs, without starting Django).
messages: $(CATALOGUES:.po=.mo)

locale/%.mo: locale/%.po
	msgfmt --check-format -o $@ $<

# After changing interface strings: update the catalogues, then translate the new entries
# (a test fails on any untranslated one). No line numbers, so that changes merge cleanly.
translations: $(INSTALLED)
	$(BIN)/python manage.py makemessages -l nl -l fr --ignore=.venv --ignore=tests --no-obsolete --no-location

migrate: $(MIGRATED)

$(MIGRATED): $(INSTALLED) $(wildcard */migrations/*.py) fixtures/qualification_0213.json $(DB_FILE_GONE) | messages
	$(BIN)/python manage.py migrate --verbosity 0
	$(BIN)/python manage.py loaddata qualification_0213 --verbosity 0
	$(BIN)/python manage.py reports_rebuild --verbosity 0
	@mkdir -p $(@D) && touch $@

$(DEMO): $(MIGRATED) $(wildcard */management/commands/create_demo_*.py)
	@PORTAL_DEMO=1 $(BIN)/python manage.py create_demo_accounts
	@PORTAL_DEMO=1 $(BIN)/python manage.py create_demo_issuing_centre
	@PORTAL_DEMO=1 $(BIN)/python manage.py create_demo_assessment
	@$(BIN)/python manage.py reports_rebuild --verbosity 0
	@mkdir -p $(@D) && touch $@

# The TEST seal is made in the demo centre's name, so it is made after the demo centre.
$(VAR)/dev-seal/seal.p12 $(VAR)/dev-seal/credential-key.pem $(VAR)/dev-seal/credential-rsa-key.pem: $(INSTALLED) | $(DEMO)
	@DEBUG=1 $(BIN)/python manage.py ensure_dev_seal

# `make run` seals with a self-signed TEST seal and signs credentials with a development key,
# both made under var/ on first use (decision 0006); production sets its own (docs/deploy.md).
run: export PORTAL_SEAL_PKCS12 ?= $(CURDIR)/var/dev-seal/seal.p12
run: export PORTAL_SEAL_PASSPHRASE ?= development
run: export PORTAL_CREDENTIAL_KEY ?= $(CURDIR)/var/dev-seal/credential-key.pem
run: export PORTAL_CREDENTIAL_RSA_KEY ?= $(CURDIR)/var/dev-seal/credential-rsa-key.pem
# The address in e-mails and on supplements: where the server listens, unless given.
run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
# A development OpenID Connect provider (OIDC_ISSUER, when one is set) may listen on http.
run: export OIDC_ALLOW_HTTP ?= true
# Steps already done are skipped (see MIGRATED and DEMO), so a restart takes seconds. One Ctrl-C
# stops the web server and the worker (warm shutdown) and returns to the prompt (portal/devrun.py).
run: $(INSTALLED) messages $(MIGRATED) $(DEMO) $(VAR)/dev-seal/seal.p12 $(VAR)/dev-seal/credential-key.pem $(VAR)/dev-seal/credential-rsa-key.pem
	@echo "Portal: http://$(HOST):$(PORT)/  (Ctrl-C stops the web server and the worker)"
	@DEBUG=1 exec $(BIN)/python -m portal.devrun $(HOST):$(PORT)

# The Digital Credentials Consortium's verifier, which a test runs on the credentials (decision
# 0020): installed from the npm registry under var/, where npm exists; without it that test is skipped.
NODE_VERIFIER := $(VAR)/node-verifier
$(NODE_VERIFIER)/.installed: tests/certificates/outside/package.json
	@if command -v npm >/dev/null; then \
		echo "Installing the credential verifier of the Digital Credentials Consortium into $(NODE_VERIFIER)/"; \
		mkdir -p $(NODE_VERIFIER) && cp $< $(NODE_VERIFIER)/package.json && \
		{ npm install --prefix $(NODE_VERIFIER) --no-audit --no-fund --loglevel=error && touch $@ \
		|| echo "npm install failed: the test with the Digital Credentials Consortium's verifier is skipped"; }; \
	else echo "npm not found: the test with the Digital Credentials Consortium's verifier is skipped"; fi

# With CI=true the suite runs against PostgreSQL and Redis on 127.0.0.1 (see .ci/run).
test: $(INSTALLED) messages $(NODE_VERIFIER)/.installed
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 0
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Code style (ruff), templates (djlint), the direction of the apps' dependencies and their
# interfaces (import-linter), and types (mypy with django-stubs; [tool.mypy] in pyproject.toml). No
# tool keeps a cache in the project: the caches record the machine's paths.
lint: $(INSTALLED)
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .
	$(BIN)/djlint templates --lint
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

bench: $(INSTALLED) messages
	$(BIN)/python -m benchmarks.supplement

# Every page, export and import at 1k, 100k and 1M assessments of realistic data, served by gunicorn
# with the production settings (docs/scale.md); `SIZES=1000,100000` chooses the sizes. Needs
# DATABASE_URL on PostgreSQL (the databases bench_scale_<size>, or BENCH_DB_PREFIX<size>, are made beside it and dropped).
# About an hour for all three sizes: not part of `make test`.
bench-scale: $(INSTALLED) messages
	$(if $(SIZES),SIZES=$(SIZES) )nice -n 5 $(BIN)/python -m benchmarks.scale

# Mutation testing of the services ([tool.mutmut] in pyproject.toml); slow, so not part of `make test`.
# Always on SQLite and the in-memory broker; results stay in mutants/ (`.venv/bin/mutmut browse`).
mutate: $(INSTALLED) messages
	rm -rf mutants
	DATABASE_URL= TEST_CELERY_BROKER_URL=memory://localhost// $(BIN)/mutmut run $(MUTMUT_ARGS)
	$(BIN)/mutmut export-cicd-stats
	@cat mutants/mutmut-cicd-stats.json; echo

clean:
	rm -rf $(VENV) var mutants
