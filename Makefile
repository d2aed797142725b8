# Aliases for nox sessions (noxfile.py; `make sessions` lists them all). The first call creates
# .venv/nox with the pinned nox and antsibull-nox (tests/requirements/nox.txt); nox builds the rest.
PYTHON ?= python3.11
NOX_VENV := .venv/nox
NOX := $(NOX_VENV)/bin/nox
.PHONY: test demo sanity units emulator-tests integration system lint gates matrix bench emulator sessions clean

# bash, for pipefail in the lanes' recipe.
SHELL := bash
LANES := checks matrix-a matrix-b
.PHONY: $(addprefix lane-,$(LANES))

test: $(NOX)           ## every check CI runs (= .ci/run): noxfile.py's three lanes side by side
	@echo "make test: lanes $(LANES) run side by side; each one's output follows when it ends (live: tail -f .nox/lane-*.log)"
	@$(MAKE) --no-print-directory -j3 --output-sync=target $(addprefix lane-,$(LANES))

$(addprefix lane-,$(LANES)): lane-%: $(NOX)
	@mkdir -p .nox
	set -o pipefail; DOCSPACE_LANE=$* $(NOX) 2>&1 | tee .nox/lane-$*.log

demo: $(NOX)           ## the role against the bundled emulator, with a test mail and a check-mode audit
	$(NOX) -s demo

sanity units: $(NOX)   ## on the default ansible-core; `nox -t units` runs every core
	$(NOX) -s $@-2.19

integration: $(NOX)    ## make integration TARGET=smtp_settings runs one target
	$(NOX) -s integration-2.19 -- $(TARGET)

emulator-tests system bench emulator: $(NOX)  ## ARGS go to the session, e.g. make bench ARGS=--quick
	$(NOX) -s $@ -- $(ARGS)

lint: $(NOX)           ## code lint, types, docs, packaging gates
	$(NOX) -s lint lint-harness extra-checks changelog docs-check ansible-lint artifact-2.19 packaging build-import-check ee

matrix: $(NOX)         ## sanity, units and integration on every supported ansible-core
	$(NOX) -t sanity units integration

sessions: $(NOX)
	$(NOX) -l

$(NOX): tests/requirements/nox.txt
	rm -rf $(NOX_VENV)
	$(PYTHON) -m venv $(NOX_VENV)
	$(NOX_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements/nox.txt
	touch $(NOX)

clean:
	rm -rf build .venv .nox tests/output
