# The two commands that matter on a fresh machine: `make demo` and `make test`.
.PHONY: demo test lint setup

setup:
	@bash scripts/setup

demo: setup
	@.venv/bin/python scripts/demo.py

test: setup
	@.venv/bin/python -m pytest

lint: setup
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .
