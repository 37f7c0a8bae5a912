#!/usr/bin/env bash
# Install everything the test suite needs on a fresh machine and run the whole suite.
# Real components: PostgreSQL (127.0.0.1:5432), Debian's chromium (headless), Node.js for the independent
# vc-peer verifier (../shared/tools/vc-peer, installed into .peer/ from the npm registry).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e '.[test]'

# From Debian's packages: headless Chromium for the browser tests, and the DejaVu fonts the PDF certificates
# embed (the service needs fonts-dejavu-core in production too).
MISSING=""
command -v chromium >/dev/null 2>&1 || MISSING="$MISSING chromium"
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || MISSING="$MISSING fonts-dejavu-core"
if [ -n "$MISSING" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $MISSING >/dev/null
fi

# axe-core for the accessibility checks of the browser tests (the version pinned in tests/axe/package-lock.json).
if [ ! -f tests/axe/node_modules/axe-core/axe.min.js ]; then
  npm ci --prefix tests/axe --no-audit --no-fund --silent
fi

# The independent verifier/issuer (Digital Bazaar's libraries), copied out of the read-only shared folder.
PEER_SRC="${MCRED_PEER_SRC:-../shared/tools/vc-peer}"
if [ -d "$PEER_SRC" ] && command -v npm >/dev/null 2>&1 && [ ! -d .peer/vc-peer/node_modules ]; then
  mkdir -p .peer && rm -rf .peer/vc-peer && cp -r "$PEER_SRC" .peer/vc-peer
  (cd .peer/vc-peer && npm install --no-audit --no-fund --silent)
fi

# PostgreSQL must be up: the storage and concurrency tests run against it.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi

.venv/bin/mcred setup-contexts
exec .venv/bin/pytest "$@"
