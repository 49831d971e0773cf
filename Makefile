# Xinyidai: `make run` starts the whole system, `make test` proves it. Both install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PACKAGES := shared services/credit-data services/whitelist services/fund-ledger services/claims services/console
CONSOLE  := services/console
PYTEST_WORKERS ?= 2

.PHONY: install sysdeps run demo demo-console test lint bench migration credentials clean

# requirements.lock: what the services need at run time (the image installs only this);
# requirements-dev.lock: it plus the test, benchmark and local-broker tools.
$(STAMP): requirements.lock requirements-dev.lock $(addsuffix /pyproject.toml,$(PACKAGES)) $(CONSOLE)/package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps $(addprefix -e ,$(PACKAGES))
	@# The console's front-end libraries come from the npm registry, pinned by package-lock.json.
	cd $(CONSOLE) && npm ci --ignore-scripts --no-audit --no-fund --silent
	$(BIN)/python -m console.vendor
	touch $(STAMP)

install: $(STAMP)

# System packages each target needs are listed in tools/sysdeps.txt (one line each).
sysdeps:
	@bash tools/ensure_sysdeps.sh test

credentials: install
	@$(BIN)/python -m xinyidai_shared.devorgs

run: install
	@bash tools/ensure_sysdeps.sh run
	@mkdir -p var
	@$(BIN)/python -m xinyidai_shared.devorgs
	@echo
	@echo "credit-data  http://127.0.0.1:8001  (docs: http://127.0.0.1:8001/docs)"
	@echo "whitelist    http://127.0.0.1:8002  (docs: http://127.0.0.1:8002/docs)"
	@echo "fund-ledger  http://127.0.0.1:8003  (docs: http://127.0.0.1:8003/docs)"
	@echo "claims       http://127.0.0.1:8004  (docs: http://127.0.0.1:8004/docs)"
	@$(BIN)/python -m console.guide
	@echo "broker       127.0.0.1:9092 (Tansu, Kafka protocol, memory storage)"
	@echo "Ctrl-C stops everything."
	@echo
	$(BIN)/honcho -f Procfile -e deploy/dev.env start

demo: install
	@bash tools/ensure_sysdeps.sh demo
	$(BIN)/python tools/demo.py
	@echo
	@$(BIN)/python -m console.guide

# The console's URLs for each person (with `make run` going).
demo-console: install
	@$(BIN)/python -m console.guide

test: install sysdeps
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/ruff check shared services tools bench tests

bench: install
	@bash tools/ensure_sysdeps.sh bench
	$(BIN)/python bench/run_all.py

migration: install
	@test -n "$(svc)" || (echo "usage: make migration svc=claims msg='what changed'"; exit 2)
	$(BIN)/python tools/make_migration.py $(subst -,_,$(svc)) $(msg)

clean:
	rm -rf var
