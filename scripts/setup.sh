#!/usr/bin/env bash
# Set reportparse up on a fresh Debian/Ubuntu machine: Tesseract for OCR (chi_sim), a
# virtual environment in .venv, and the package with its test extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx chi_sim; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq tesseract-ocr tesseract-ocr-chi-sim >/dev/null
  else
    echo "setup: cannot install Tesseract here; scanned pages will be reported as partial." >&2
    echo "       install tesseract-ocr and tesseract-ocr-chi-sim to read them." >&2
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[dev]'
