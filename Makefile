# quantviz: two commands do all of the set-up on a fresh machine.
#   make run    serve the app on http://localhost:8501
#   make test   run every test (unit, property, AppTest, browser)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)

.PHONY: run test test-fast test-explore bench chromium clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(PY) -m streamlit run app.py --server.port=$(PORT)

# A headless Chromium for the browser tests (Playwright's own download does not work offline).
chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	else \
		echo "No Chromium found. Install it (e.g. 'sudo apt-get install chromium'), or point CHROMIUM=/path/to/chromium, then re-run 'make test'."; \
		exit 1; \
	fi

test: $(VENV)/.dev chromium
	QUANTVIZ_CHROMIUM=$(CHROMIUM) $(PY) -m pytest

# Engine and page tests only (no browser).
test-fast: $(VENV)/.dev
	$(PY) -m pytest -m "not browser"

# Search for new property-test failures: random seeds, more examples (tests/conftest.py).
test-explore: $(VENV)/.dev
	HYPOTHESIS_PROFILE=explore $(PY) -m pytest -m "not browser" -x -q -p no:cacheprovider $$(grep -l "@given" tests/test_*.py)

bench: $(VENV)/.dev chromium
	QUANTVIZ_CHROMIUM=$(CHROMIUM) $(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis tests/artifacts
