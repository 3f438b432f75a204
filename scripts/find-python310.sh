#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter: python3.10 on PATH, else pyenv's 3.10.
# Rasa 3.6 runs on Python 3.8-3.10 only, so nothing newer will do.
set -u
is_310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }

if command -v python3.10 >/dev/null 2>&1 && is_310 python3.10; then
  # A pyenv shim answers even when 3.10 is not the active version: resolve the real file.
  real=$(python3.10 -c 'import sys; print(sys.executable)')
  echo "$real"; exit 0
fi
roots=()
[ -n "${PYENV_ROOT:-}" ] && roots+=("$PYENV_ROOT")
command -v pyenv >/dev/null 2>&1 && roots+=("$(pyenv root 2>/dev/null)")
roots+=("$HOME/.pyenv")
for root in "${roots[@]}"; do
  for candidate in $(ls -d "$root"/versions/3.10*/bin/python3.10 2>/dev/null | sort -V -r); do
    if is_310 "$candidate"; then echo "$candidate"; exit 0; fi
  done
done
echo "找不到 Python 3.10：请安装 Python 3.10（例如 'pyenv install 3.10'），Rasa 3.6 只支持 Python 3.8-3.10。 / No Python 3.10 found: install Python 3.10 (e.g. 'pyenv install 3.10'); Rasa 3.6 supports only Python 3.8-3.10." >&2
exit 1
