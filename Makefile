# Two commands on a fresh machine: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint check messages clean system-deps

# The stamp is rebuilt when the dependencies change, so `make` re-installs only when needed.
$(VENV)/.installed: pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  python_bin="$${PYTHON:-$$(bash scripts/find_python.sh)}" || exit 1; \
	  echo "Tạo môi trường ảo $(VENV) bằng $$python_bin"; \
	  "$$python_bin" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

run: $(VENV)/.installed
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py load_demo --if-empty
	@# The background worker (exports) runs beside the web server and is stopped with it (Ctrl+C or exit).
	@export DEBUG=$${DEBUG:-true}; \
	$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	@# Browser tests need Debian's Chromium; as root with apt, install what is missing first.
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then $(MAKE) --no-print-directory system-deps; fi
	@# Two workers (the machine has two cores), each with its own test database; PYTEST_WORKERS=0 runs serially.
	$(PY) -m pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: lint test

# Recompiles the translation catalogs (needs GNU gettext); the compiled .mo files are committed.
messages: $(VENV)/.installed
	DEBUG=true $(PY) manage.py makemessages -l en -l vi --no-obsolete --no-wrap --ignore '.venv/*' --ignore 'tests/*'
	DEBUG=true $(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var/

# Debian packages for the browser tests and reports (run as root; CI does this).
system-deps:
	@missing=$$(grep -v '^#' scripts/system-packages.txt | while read -r p; do [ -n "$$p" ] && ! dpkg -s "$$p" >/dev/null 2>&1 && echo "$$p"; done); \
	if [ -n "$$missing" ]; then \
	  echo "Cài gói hệ thống: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
