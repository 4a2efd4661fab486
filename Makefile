# The README's commands. See README.md.
.PHONY: test demo lint

test:
	scripts/run-tests

demo:
	@echo "The demo (simulator + storefront + round trip) is not built yet: see README, 'Demo'." >&2
	@exit 2

# Needs the core environment that `make test` makes (.venv); mypy: see scripts/mypy.
lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	scripts/mypy
