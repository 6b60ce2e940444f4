# The two commands of the README:
#   make up    set everything up and run the platform on the embedded default (SQLite), with demo content
#   make test  run the whole test suite (LanguageTool, browser and all)
.PHONY: up setup test lint check ci clean

up:
	./scripts/up.sh

setup:
	./scripts/setup.sh

test: setup
	./scripts/test.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

ci:
	bash .ci/run

clean:
	rm -rf .venv .pytest_cache .ruff_cache

# Refresh the translation catalogues after changing user-facing text.
translations:
	.venv/bin/pybabel extract -F babel.cfg -k N_ -k _l -o /tmp/assessor-messages.pot .
	.venv/bin/pybabel update -i /tmp/assessor-messages.pot -d assessor/translations
