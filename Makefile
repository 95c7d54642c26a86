# Developer and CI entry points. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
# The lowest ansible-core the collection claims, for `make compat`
VENV_LOWEST := $(CURDIR)/.venv-lowest
BIN_LOWEST := $(VENV_LOWEST)/bin
TMP := $(CURDIR)/.tmp
# pytest and the lab import the collection as ansible_collections.netops.calico
COLLECTIONS := $(TMP)/collections
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)

.PHONY: venv system-deps test unit integration sanity compat demo bench clean

$(BIN)/activate: requirements.txt tests/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r tests/requirements.txt
	touch $@

$(BIN_LOWEST)/activate: requirements.txt tests/requirements-lowest.txt
	$(PYTHON) -m venv $(VENV_LOWEST)
	$(BIN_LOWEST)/pip install --quiet --upgrade pip
	$(BIN_LOWEST)/pip install --quiet -r requirements.txt -r tests/requirements-lowest.txt
	touch $@

venv: $(BIN)/activate system-deps
	@mkdir -p $(COLLECTIONS)/ansible_collections/netops
	@ln -sfn $(CURDIR) $(COLLECTIONS)/ansible_collections/netops/calico

# Debian's BIRD 1.6 (not bird2) for node status tests and the lab.
system-deps:
	@if ! command -v bird >/dev/null || ! command -v bird6 >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bird >/dev/null; \
	  else echo "BIRD 1.6 is missing: run 'sudo apt-get install bird' (Debian's bird 1.6, not bird2)" >&2; exit 1; fi; \
	fi

# What CI runs (.ci/run). Every step runs even when an earlier one failed; the target fails if any did.
test: venv
	@status=0; \
	$(BIN)/python -m pytest tests/unit tests/integration || status=1; \
	$(MAKE) --no-print-directory lint || status=1; \
	$(MAKE) --no-print-directory molecule || status=1; \
	$(MAKE) --no-print-directory sanity || status=1; \
	$(MAKE) --no-print-directory compat || status=1; \
	exit $$status

unit: venv
	$(BIN)/python -m pytest tests/unit

integration: venv
	$(BIN)/python -m pytest tests/integration

sanity: venv
	$(BIN)/python tests/support/run_sanity.py

# The lowest ansible-core of requires_ansible: unit tests and ansible-test sanity (the highest runs in `make test`).
compat: venv $(BIN_LOWEST)/activate
	$(BIN_LOWEST)/ansible --version | head -1
	$(BIN_LOWEST)/python -m pytest tests/unit
	$(BIN_LOWEST)/python tests/support/run_sanity.py

# The bulk write benchmarks, then the rack rollout at 12, 24, 48 and 96 nodes against its floor.
bench: venv
	@status=0; \
	$(BIN)/python tests/benchmarks/run_benchmarks.py || status=1; \
	$(BIN)/python tests/benchmarks/rollout.py || status=1; \
	exit $$status

# The first thing to run: a live Calico BGP fabric on this machine (tests/lab), moved from the
# node-to-node mesh to per-rack route reflectors by a playbook, without dropping a route.
demo: venv
	$(BIN)/python -m tests.lab.demo

clean:
	rm -rf $(VENV) $(VENV_LOWEST) $(TMP)

# Roles, playbooks and molecule scenarios (issue 7). ansible-lint reads .ansible-lint
# (production profile); molecule runs every scenario of extensions/molecule/ without containers.
.PHONY: lint molecule
lint: venv
	$(BIN)/ansible-lint roles playbooks extensions/molecule

# One scenario at a time, each with its own result. The etcd-only scenario is `default`: molecule
# always probes for a scenario of that name and logs a CRITICAL line when there is none.
molecule: venv
	@status=0; for scenario in $$(cd extensions/molecule && ls -d */molecule.yml | cut -d/ -f1); do \
	  mkdir -p .tmp; $(BIN)/molecule test -s $$scenario > .tmp/molecule.log 2>&1 || status=1; cat .tmp/molecule.log; \
	  if grep -q CRITICAL .tmp/molecule.log; then echo "molecule $$scenario logged a CRITICAL line"; status=1; fi; \
	done; exit $$status
