#!/usr/bin/env bash
# Set reportparse up on a fresh Debian/Ubuntu machine: Tesseract (chi_sim, the fallback OCR engine), a
# virtual environment in .venv, and the package with its test extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
# System packages the tests touch: Tesseract with chi_sim (scanned pages), a CJK font (pdfium
# renders pages whose CJK fonts are not embedded with it; without one they render blank and
# OCR reads nothing), qpdf and the WenQuanYi font (samples/build.py's encrypted and Kangxi samples).
need=""
command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx chi_sim || need="$need tesseract-ocr tesseract-ocr-chi-sim"
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need="$need fonts-wqy-zenhei"
fc-list 2>/dev/null | grep -qi "noto sans cjk" || need="$need fonts-noto-cjk"
command -v qpdf >/dev/null 2>&1 || need="$need qpdf"
# LibreOffice converts .doc/.wps/.xls/.et for the native readers (tests/read/test_office.py, tests/run/test_mixed_folder.py)
command -v soffice >/dev/null 2>&1 || need="$need libreoffice-writer libreoffice-calc"
# headless Chromium renders the review site in its test (tests/test_review.py)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need="$need chromium"
# opencv (under rapidocr-onnxruntime, the default OCR engine) links libGL and GLib
[ -n "$(ls /usr/lib/*/libGL.so.1 /usr/lib/libGL.so.1 2>/dev/null)" ] || need="$need libgl1"
[ -n "$(ls /usr/lib/*/libglib-2.0.so.0 /usr/lib/libglib-2.0.so.0 2>/dev/null)" ] || need="$need libglib2.0-0"
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
  else
    echo "setup: cannot install$need here (no apt-get or no root);" >&2
    echo "       scanned pages will be reported as partial and pages without embedded fonts may render blank." >&2
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[dev]'
# The editable install leaves src/ uncompiled (a regular `pip install` compiles it), and where
# PYTHONDONTWRITEBYTECODE is set every process would compile the package again (0.07 s a worker).
.venv/bin/python -m compileall -q src/reportparse >/dev/null
