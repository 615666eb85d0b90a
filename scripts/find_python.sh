#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 (Django 6 needs it): PATH first, then pyenv's versions.
# Exits 1 with advice when there is none.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for name in python3.14 python3.13 python3.12 python3 python; do
  p=$(command -v "$name" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for p in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
  if ok "$p"; then echo "$p"; exit 0; fi
done
cat >&2 <<'MSG'
Không tìm thấy Python 3.12 trở lên (Django 6 cần Python >= 3.12).
No Python >= 3.12 found (Django 6 needs it). Install one, for example:
  apt-get install python3.12 python3.12-venv     (Debian/Ubuntu with that package)
  pyenv install 3.13                              (with pyenv)
or point the Makefile at it:  make run PYTHON=/path/to/python3.12
MSG
exit 1
