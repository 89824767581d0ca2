# Yakuba: `make run` serves the demo city, `make test` runs every check. `make help` lists the rest.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MO     := locale/en/LC_MESSAGES/django.mo
export DJANGO_SETTINGS_MODULE := yakuba.settings

.PHONY: help setup run test lint typecheck checks pytest pdf-deps browser-deps messages clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null || { \
	  echo "Yakuba needs Python 3.12 or newer (Django 6); '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install one (Debian/Ubuntu: apt-get install python3.13 python3.13-venv; or pyenv install 3.13)"; \
	  echo "and run again, or point at it: make PYTHON=/usr/bin/python3.13 $(MAKECMDGOALS)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

$(MO): $(STAMP) locale/en/LC_MESSAGES/django.po
	$(BIN)/python -c "import polib; polib.pofile('locale/en/LC_MESSAGES/django.po').save_as_mofile('$(MO)')"

setup: $(STAMP) $(MO) ## create the virtual environment and install pinned dependencies
	@mkdir -p var

run: setup pdf-deps ## migrate, load the demo city (first time) and serve http://127.0.0.1:8000
	$(BIN)/yakuba migrate --noinput -v 0
	$(BIN)/yakuba demo --if-empty
	$(BIN)/yakuba runserver 127.0.0.1:8000

pdf-deps: ## install the Japanese font embedded in certificate PDFs (IPAex) and poppler-utils (if absent)
	@[ -f /usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf ] && command -v pdftotext >/dev/null 2>&1 || { \
	  echo "Installing fonts-ipaexfont and poppler-utils with apt-get ..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    fonts-ipaexfont-mincho fonts-ipaexfont-gothic poppler-utils >/dev/null; }

browser-deps: ## install Debian's Chromium and Japanese fonts for browser tests (if absent)
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "noto sans cjk" || { \
	  echo "Installing chromium and fonts-noto-cjk with apt-get ..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

lint: setup ## ruff (lint and format check)
	$(BIN)/ruff check yakuba tests bench
	$(BIN)/ruff format --check yakuba tests bench

typecheck: setup ## mypy with django-stubs
	$(BIN)/mypy yakuba

checks: setup ## migrations up to date, deploy check clean under production settings
	$(BIN)/yakuba makemigrations --check --dry-run
	YAKUBA_PRODUCTION=1 SECRET_KEY=ci-check-$$(printf 'x%.0s' $$(seq 1 60)) \
	  YAKUBA_FIELD_KEY=$$($(BIN)/python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
	  YAKUBA_SIGNING_KEY=$$($(BIN)/python -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())") \
	  ALLOWED_HOSTS=yakuba.example.jp $(BIN)/yakuba check --deploy --fail-level WARNING

pytest: setup pdf-deps browser-deps ## the test suite (DATABASE_URL picks the database; SQLite by default)
	$(BIN)/pytest -q

test: lint typecheck checks pytest ## everything CI runs, on the database in DATABASE_URL (SQLite by default)

messages: setup ## refresh the English catalogue from the sources (needs GNU gettext)
	$(BIN)/yakuba makemessages -l en --no-obsolete --ignore '.venv/*' --ignore 'var/*'

clean: ## remove the virtual environment and local data
	rm -rf $(VENV) var
