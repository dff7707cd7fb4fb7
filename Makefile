# The two commands that matter on a fresh machine: `make demo` and `make test`.
.PHONY: demo test test-fast test-pipeline lint setup sync

setup:
	@bash scripts/setup

demo: setup
	@.venv/bin/python scripts/demo.py

test: setup
	@.venv/bin/python -m pytest

# The fast tier (no Spark): run after every change.
test-fast: setup
	@.venv/bin/python -m pytest -m "not pipeline and not spark"

# Only what starts Spark: local pipeline runs (one warm server per project, one shared
# server for the --remote tests; the session fails if a project server outlives it).
test-pipeline: setup
	@.venv/bin/python -m pytest -m "pipeline or spark"

lint: setup
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

# Regenerate what follows one source: the helpers' manifest (for `medallion upgrade`) and the
# expectation sets' schema enum and README table. The tests fail when these are stale.
sync: setup
	@.venv/bin/python scripts/sync_template_manifest.py && .venv/bin/python scripts/sync_expectation_sets.py
