# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
INDEX  ?= data/index
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install index browser ocr clean eval bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

# torch first, pinned, so nothing later resolves a CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[test,cluster]'
	touch $(STAMP)

install: $(STAMP) ocr

# Debian's chromium for the browser tests; never a downloaded browser.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; fi

# Debian's tesseract reads scanned PDF pages (indexer/parse/ocr.py); poppler-utils' pdftoppm makes
# the scanned pages the OCR tests read back.
OCR_PKGS := tesseract-ocr tesseract-ocr-eng poppler-utils
ocr:
	@if ! tesseract --list-langs 2>/dev/null | grep -qx eng || ! command -v pdftoppm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(OCR_PKGS); \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq $(OCR_PKGS); fi; fi

# incremental: a no-op when nothing changed; after an upgrade, re-chunks and embeds only new texts
index: install
	$(BIN)/council index corpus --index-dir $(INDEX)

run: index
	$(BIN)/council serve --index-dir $(INDEX) --host 127.0.0.1 --port 8000

test: install browser ocr
	$(BIN)/python -m pytest -q

# the command that wrote eval/results.md (it builds its own indexes under data/eval)
eval: install
	$(BIN)/council eval --chunk-sizes 180,250 --layouts eval/layouts/layouts.json

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) data
