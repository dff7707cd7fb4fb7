# The two commands that matter on a fresh machine: `make demo` and `make test`.
.PHONY: demo test test-fast test-pipeline lint setup sync

setup:
	@bash scripts/setup

demo: setup
	@.venv/bin/python scripts/demo.py

# Every core (pytest-xdist): each test file runs whole on one worker (its module fixtures, often
# a whole pipeline run, are built once), the files spread over the workers, each worker with its
# own Spark lock and shared server (tests/conftest.py). The files that run pipelines are handed
# out first and the short ones last (tests/conftest.py orders them; xdist's own reorder, most
# tests first, would leave the one-test pipeline files for the end).
test: setup lint
	@.venv/bin/python -m pytest -n auto --dist loadfile --no-loadscope-reorder

# The fast tier (no Spark; a test of it that starts Spark fails, see tests/conftest.py): run
# after every change.
test-fast: setup lint
	@.venv/bin/python -m pytest -m "not pipeline and not spark" -n auto

# Only what starts Spark: one classic session and one shared Spark Connect server for the
# session (most pipeline runs go there with --remote, a database per project); project servers
# only where a test is about them (warm reuse, idle shutdown, a killed server, a small heap, the
# demo, the generated project's own tests, the emulated deploys). The session fails if a
# project server outlives it.
test-pipeline: setup
	@.venv/bin/python -m pytest -m "pipeline or spark"

# ruff (style, imports, bugs) and mypy (types; what it checks: [tool.mypy] in pyproject.toml).
lint: setup
	@.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

# Regenerate what follows one source: the spec's JSON Schema (from the model and the expectation
# sets) and the sets' README table, then the helpers' manifest (for `medallion upgrade`; it hashes
# the schema too). The tests fail when these are stale.
sync: setup
	@.venv/bin/python scripts/sync_spec_docs.py && .venv/bin/python scripts/sync_template_manifest.py
