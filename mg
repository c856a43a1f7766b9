#!/usr/bin/env bash
# One entry point for a new user on a fresh Debian machine.
#   ./mg demo   set up everything, run the derisk-vs-decouple demo and serve it in the dashboard
#   ./mg test   set up everything (incl. headless Chromium) and run the whole test suite
# Anything after the first word is passed on (e.g. ./mg demo --no-serve, ./mg test -k clearing).
set -euo pipefail
cd "$(dirname "$0")"
VENV=${MG_VENV:-.venv}

find_python() {
  for c in python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  for c in "$HOME"/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.12*/bin/python3.12; do
    if [ -x "$c" ]; then echo "$c"; return 0; fi
  done
  return 1
}

apt_install() {  # apt_install PKG... : install Debian packages that are missing
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "==> installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

setup() {
  local py
  if ! py=$(find_python); then
    apt_install python3.12 python3.12-venv || true
    py=$(find_python) || { echo "error: Python 3.12 is required (python3.12 not found)" >&2; exit 1; }
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating virtual environment $VENV with $py"
    "$py" -m venv "$VENV"
  fi
  local stamp="$VENV/.mg-installed" want
  want=$(cat pyproject.toml | sha256sum | cut -c1-16)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> installing mineralgame and its dependencies into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[dev]"
    echo "$want" > "$stamp"
  fi
}

cmd=${1:-help}; shift || true
case "$cmd" in
  demo)
    setup
    exec "$VENV/bin/mineralgame" demo "$@" ;;
  test)
    apt_install chromium chromium-driver
    setup
    echo "==> ruff"
    "$VENV/bin/ruff" check src tests dashboard experiments
    "$VENV/bin/ruff" format --check src tests dashboard experiments
    echo "==> mypy"
    "$VENV/bin/mypy"
    echo "==> pytest (all tests, slow ones included)"
    exec "$VENV/bin/python" -m pytest "$@" ;;
  setup)
    setup ;;
  *)
    echo "usage: ./mg demo [args] | ./mg test [pytest args] | ./mg setup"; exit 2 ;;
esac
