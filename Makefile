# qtnet developer commands.  Quick start: `make run`, `make test`.
#
# Every target that needs Python depends on `venv`: it creates .venv with
# `python3 -m venv` (installing Debian's python3-venv first if venv cannot
# work) and runs `pip install -e '.[test]'` only when pyproject.toml is newer
# than the stamp file .venv/.qtnet-installed-test-2, so repeated runs start at once.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
VPY    := $(VENV)/bin/python
# (-2: since installs upgrade pip and setuptools first; older venvs redo it once)
STAMP  := $(VENV)/.qtnet-installed-test-2
DEV_STAMP := $(VENV)/.qtnet-installed-dev
DOCS_STAMP := $(VENV)/.qtnet-installed-docs
PIP    := $(VPY) -m pip --disable-pip-version-check --no-input

# Per-test timeout in seconds (pytest-timeout) and extra pytest arguments,
# e.g. `make test PYTEST_ARGS='-k fortune -x'`.
TEST_TIMEOUT ?= 120
PYTEST_ARGS  ?=
# Extra arguments for `make run`, e.g. `make run ARGS='--port 5000 --framing legacy'`.
ARGS ?=

export PIP_NO_INPUT := 1
export DEBIAN_FRONTEND := noninteractive

.PHONY: help venv venv-dev venv-docs run test bench lint docs clean distclean

help:
	@echo "make run     start the Fortune server (qtnet fortune-server \$$ARGS)"
	@echo "make test    run the whole test suite (sets up .venv and the PySide6 peer)"
	@echo "make bench   run the benchmarks (bench/run_all.py)"
	@echo "make lint    ruff + mypy --strict on src/"
	@echo "make docs    build the documentation site into site/ (mkdocs --strict + link check)"
	@echo "make clean   remove caches and build output (distclean: also .venv, .peers)"

# -- virtualenv ---------------------------------------------------------------
# One shell recipe, not file targets: make caches file times, and a venv whose
# python broke (e.g. the base interpreter moved) must be rebuilt even though
# the stamp inside it looks fresh.
#   1. .venv/bin/python missing or not runnable -> recreate .venv (this drops
#      the stamp, which lives inside .venv);
#   2. stamp missing or older than pyproject.toml -> pip install -e '.[test]'
#      (plus the dev extra for `make lint`), then touch the stamp.
venv:
	@if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then \
	  echo "error: $(PYTHON) must be Python >= 3.10 (try: make PYTHON=python3.11 ...)" >&2; exit 1; \
	fi
	@if ! $(VPY) -c '' >/dev/null 2>&1; then \
	  rm -rf $(VENV); \
	  if ! $(PYTHON) -m venv $(VENV) >/dev/null 2>&1; then \
	    rm -rf $(VENV); \
	    echo "'$(PYTHON) -m venv' does not work here; installing Debian's python3-venv" >&2; \
	    if ! command -v apt-get >/dev/null 2>&1; then \
	      echo "error: no apt-get; install the venv module for $(PYTHON) by hand" >&2; exit 1; \
	    fi; \
	    SUDO=; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"; \
	    pyver=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	    $$SUDO apt-get update -qq || true; \
	    $$SUDO apt-get install -y -qq --no-install-recommends python3-venv "python$$pyver-venv" \
	      || $$SUDO apt-get install -y -qq --no-install-recommends python3-venv; \
	    $(PYTHON) -m venv $(VENV); \
	  fi; \
	  echo "created $(VENV) with $$($(VPY) --version)"; \
	fi
	@# pip and setuptools are upgraded first: the ones venv bundles carry known
	@# advisories (pip 23.2.1, setuptools 65.5.0 on 3.11), which `make audit` reports.
	@if [ ! -f $(STAMP) ] || [ pyproject.toml -nt $(STAMP) ]; then \
	  echo "installing qtnet into $(VENV): pip install -e '.[test]'"; \
	  $(PIP) install -q -U pip setuptools; \
	  $(PIP) install -q -e '.[test]'; \
	  touch $(STAMP); \
	fi

venv-dev: venv
	@if [ ! -f $(DEV_STAMP) ] || [ pyproject.toml -nt $(DEV_STAMP) ]; then \
	  echo "installing the dev tools into $(VENV): pip install -e '.[test,dev]'"; \
	  $(PIP) install -q -e '.[test,dev]'; \
	  touch $(DEV_STAMP); \
	fi

venv-docs: venv
	@if [ ! -f $(DOCS_STAMP) ] || [ pyproject.toml -nt $(DOCS_STAMP) ]; then \
	  echo "installing the docs tools into $(VENV): pip install -e '.[test,docs]'"; \
	  $(PIP) install -q -e '.[test,docs]'; \
	  touch $(DOCS_STAMP); \
	fi

# -- the two Quick start commands --------------------------------------------
run: venv
	$(VENV)/bin/qtnet fortune-server $(ARGS)

test: venv
	@if [ -f tools/peers.py ]; then \
	  $(VPY) tools/peers.py ensure pyside6; \
	else \
	  echo "tools/peers.py not present: skipping the PySide6 peer setup" >&2; \
	fi
	@rc=0; $(VPY) -m pytest -q --timeout=$(TEST_TIMEOUT) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then \
	  echo "error: pytest collected no tests (exit code 5); that counts as a failure" >&2; \
	fi; \
	exit $$rc

# -- other targets -------------------------------------------------------------
bench: venv
	@if [ -f bench/run_all.py ]; then \
	  $(VPY) bench/run_all.py $(ARGS); \
	else \
	  echo "bench/run_all.py does not exist yet: no benchmarks to run"; \
	fi

lint: venv-dev
	$(VENV)/bin/ruff check src/
	MYPYPATH=src $(VENV)/bin/mypy --strict --explicit-package-bases src/qtnet

# The site is built with warnings as errors (broken links, anchors, nav entries,
# docstring references), then every internal link and #anchor of the HTML is
# checked.  tests/test_docs.py does the same and runs the docs' code blocks.
docs: venv-docs
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site
	$(VPY) tools/docs_check.py links site

clean:
	rm -rf build dist site .pytest_cache .mypy_cache .ruff_cache .hypothesis bench/results
	find . -path ./.venv -prune -o -path ./.peers -prune -o -path ./.git -prune -o \
	  \( -name __pycache__ -o -name '*.egg-info' \) -type d -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV) .peers

# -- fuzzing (issue 8): atheris targets in fuzz/, seed corpus in fuzz/corpus/ --
# `make fuzz` runs each target FUZZ_SECONDS (default 600); `make fuzz-smoke` 10 s.
FUZZ_SECONDS ?= 600
.PHONY: fuzz fuzz-smoke fuzz-deps
fuzz-deps: venv
	@$(VPY) -c 'import atheris' 2>/dev/null || $(PIP) install -q 'atheris>=2.3'
fuzz: fuzz-deps
	$(VPY) fuzz/run_all.py --seconds $(FUZZ_SECONDS)
fuzz-smoke: fuzz-deps
	$(VPY) fuzz/run_all.py --seconds 10

# -- load / soak (issue 8): one qtnet server process, loopback only ------------
# 10,000 TCP + 10,000 WebSocket connections held, then 200,000 connect/close
# cycles; bounded by SOAK_SECONDS (default 600).  Figures: docs/reliability.md.
SOAK_SECONDS ?= 600
.PHONY: soak
soak: venv
	mkdir -p build
	SOAK_SECONDS=$(SOAK_SECONDS) $(VPY) tools/soak.py --out build/soak.json

# -- dependency audit (issue 8) -------------------------------------------------
# 1. tools/audit_offline.py checks every distribution installed in .venv (pip
#    and setuptools included) against the PyPA Advisory Database snapshot
#    vendored in security/advisories/ (no network; it prints the snapshot's
#    date).  Conclusive: exit 0 clean, 1 vulnerable, 2 database unreadable.
# 2. pip-audit (online: PyPI's JSON API) as an extra.  It counts only when it
#    audited something: where the vulnerability data is unreachable it skips
#    every distribution, and that is reported as inconclusive, not as clean.
# Refresh the snapshot: see security/advisories/README.md.
.PHONY: audit
audit: venv
	mkdir -p build
	@rc=0; $(VPY) tools/audit_offline.py --python $(VPY) || rc=$$?; \
	if [ $$rc -ge 2 ]; then exit $$rc; fi; \
	if ! $(VPY) -c 'import pip_audit' 2>/dev/null && ! $(PIP) install -q pip-audit; then \
	  echo "pip-audit (online): not installable here: skipped"; exit $$rc; \
	fi; \
	rm -f build/pip-audit.json; \
	$(VPY) -m pip freeze --exclude-editable > build/requirements-audit.txt; \
	$(VPY) -m pip_audit --no-deps --disable-pip -r build/requirements-audit.txt \
	  -f json -o build/pip-audit.json > build/pip-audit.log 2>&1 || true; \
	if [ -s build/pip-audit.json ]; then \
	  $(VPY) tools/audit_offline.py --pip-audit-json build/pip-audit.json || rc=1; \
	else \
	  echo "pip-audit (online): failed, see build/pip-audit.log: inconclusive, not counted"; \
	fi; \
	exit $$rc
