# The README's commands. See README.md.
.PHONY: test demo demo-headless lint

test:
	scripts/run-tests

# The demo's data in its own database; demo-headless also runs the whole round trip
# (punch-in to invoice) through HTTP without a person. See scripts/demo.
demo:
	scripts/demo

demo-headless:
	scripts/demo --headless

# Needs the core environment that `make test` makes (.venv); mypy: see scripts/mypy.
lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	scripts/mypy
