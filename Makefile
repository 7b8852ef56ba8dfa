PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/cams.duckdb

.PHONY: run test test-long audit lint format bench bench-zipbomb bench-overview bench-upload bench-export bench-pages demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

run: $(VENV)/.installed
	@if [ ! -f "$(DB)" ]; then $(BIN)/python -m cams_data demo --db "$(DB)"; fi
	CAMS_LOCAL_MODE=1 $(BIN)/streamlit run app.py --server.address 127.0.0.1

test: $(VENV)/.installed
	$(BIN)/python -m pytest -m "not long"

# Slow tests (tests/long): a real browser, fuzzing, kill -9 during uploads, load. Chromium is
# Debian's (apt-get install chromium); .ci/run installs it when it is missing.
test-long: $(VENV)/.installed node_modules/.installed
	$(BIN)/python -m pytest -m long tests/long

# axe-core (pinned in package.json and package-lock.json), which the browser tests run in each
# page to check it against WCAG 2.2 AA; npm comes with Node.js (.ci/run installs it if missing).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# Known vulnerabilities in the pinned packages; needs a vulnerability database online (CI here
# has none, so CI does not run it).
audit: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/pip-audit -r requirements.txt

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Each script prints its figure as a ratio to a baseline measured in the same run; a target
# missed does not stop the others. bench/results.py writes the table to bench/RESULTS.md.
bench: $(VENV)/.installed
	-$(BIN)/python bench/ingest.py
	-$(BIN)/python bench/overview.py
	-$(BIN)/python bench/upload.py
	-$(BIN)/python bench/export.py
	-$(BIN)/python bench/zipbomb.py
	-$(BIN)/python bench/pages.py
	$(BIN)/python bench/results.py

bench-zipbomb: $(VENV)/.installed
	$(BIN)/python bench/zipbomb.py

bench-overview: $(VENV)/.installed
	$(BIN)/python bench/overview.py

bench-upload: $(VENV)/.installed
	$(BIN)/python bench/upload.py

bench-export: $(VENV)/.installed
	$(BIN)/python bench/export.py

# Every page in Chromium against a trivial page, on the demo data and on ten times the ingest
# benchmark's training rows (built once, about 10 minutes, then kept in bench/out/).
bench-pages: $(VENV)/.installed
	$(BIN)/python bench/pages.py

demo: $(VENV)/.installed
	$(BIN)/python -m cams_data demo --db "$(DB)"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
