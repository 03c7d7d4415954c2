# The two commands of the README. Each installs what it needs into .venv first.
.PHONY: demo test lint

demo:
	./scripts/bootstrap demo
	.venv/bin/meldpunt demo $(ARGS)

test:
	./scripts/bootstrap test
	./scripts/test $(ARGS)

lint:
	./scripts/bootstrap test
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy && .venv/bin/lint-imports
