# Biaojue — the two commands a newcomer needs: `make run` and `make test`.
PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)
VENDOR  := terminal_ui/static/vendor
SIO_JS  := $(VENDOR)/socket.io.esm.min.js
NOBLE_JS := $(VENDOR)/noble-ballotbox.esm.js
NOBLE_PKGS := @noble/curves@2.4.0 @noble/hashes@2.4.0 @noble/ciphers@2.4.0 esbuild@0.28.2

.PHONY: run test check test-fast bench clean system-deps assets

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# The Socket.IO browser client, from npm, served by our own server (closed LAN: nothing from the internet).
$(SIO_JS):
	@mkdir -p $(VENDOR)
	@if command -v npm >/dev/null 2>&1; then \
	  tmp=$$(mktemp -d) && (cd $$tmp && npm install --silent --no-audit --no-fund socket.io-client@4 >/dev/null) && \
	  cp $$tmp/node_modules/socket.io-client/dist/socket.io.esm.min.js $@ && \
	  cp $$tmp/node_modules/socket.io-client/dist/socket.io.min.js $(VENDOR)/socket.io.min.js && rm -rf $$tmp; \
	else echo "npm not found: the Socket.IO browser client cannot be installed" >&2; exit 1; fi

# The encrypted ballot box's primitives in the browser (ristretto255, SHA-2, Argon2id, ChaCha20-Poly1305),
# from npm at pinned versions; npm ships them as many ES module files, so esbuild bundles the few
# exports used into one ES module, served by our own server like the Socket.IO client.
$(NOBLE_JS):
	@mkdir -p $(VENDOR)
	@if command -v npm >/dev/null 2>&1; then \
	  tmp=$$(mktemp -d) && (cd $$tmp && npm install --silent --no-audit --no-fund $(NOBLE_PKGS) >/dev/null && \
	    printf '%s\n' \
	      "export { ristretto255 } from '@noble/curves/ed25519.js';" \
	      "export { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';" \
	      "export { sha256, sha512 } from '@noble/hashes/sha2.js';" \
	      "export { argon2idAsync } from '@noble/hashes/argon2.js';" \
	      "export { randomBytes } from '@noble/hashes/utils.js';" \
	      "export { chacha20poly1305 } from '@noble/ciphers/chacha.js';" > entry.js && \
	    ./node_modules/.bin/esbuild entry.js --bundle --format=esm --minify --log-level=warning --outfile=bundle.js) && \
	  cp $$tmp/bundle.js $@ && rm -rf $$tmp; \
	else echo "npm not found: the ballot box's browser library cannot be installed" >&2; exit 1; fi

assets: $(SIO_JS) $(NOBLE_JS)

# Debian packages the tests use: Chromium (browser tests), a CJK font (result sheets), poppler (PDF text).
system-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc || missing="$$missing fonts-wqy-zenhei"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing system packages:$$missing (browser and PDF tests will skip outside CI)"; fi; \
	fi

run: $(STAMP) $(SIO_JS) $(NOBLE_JS)
	$(PY) run.py --demo

# Lint, types and the import layers first (configured in pyproject.toml and setup.cfg), then the tests;
# any finding fails. pytest exits 5 when it collected no test; make treats any non-zero exit as failure.
test: $(STAMP) $(SIO_JS) $(NOBLE_JS) system-deps check
	$(PY) -m pytest

check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --config setup.cfg

test-fast: $(STAMP)
	$(PY) -m pytest tests/ballots -q

bench: $(STAMP)
	$(PY) bench/seats.py --seats 500

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis .mypy_cache .ruff_cache
