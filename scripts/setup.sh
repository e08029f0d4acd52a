#!/usr/bin/env bash
# Install everything Leerplein needs, idempotently: Debian packages (as root), a Python
# virtual environment with pinned versions, npm assets, and JupyterLab settings.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(chromium bubblewrap fonts-dejavu-core git util-linux passwd nftables e2fsprogs)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> apt: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "==> Please install these Debian packages first: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.leerplein-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  echo "==> pip: installing pinned packages (constraints.txt)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[test]"
  touch "$stamp"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm: installing front-end assets (package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "==> JupyterLab settings (Dutch, no news prompt, extensions)"
.venv/bin/python -m leerplein.jupyter_setup
