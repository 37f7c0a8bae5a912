#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian 12 machine and run the whole suite, nothing skipped.
#
#   - Debian packages, when missing: python3-venv, chromium (the browser tests), nodejs + npm (the independent
#     vc-peer verifier), postgresql. As root, or through sudo; anything else stops with a message saying what to do.
#   - Python packages from the lock file (requirements-test.lock, hashes checked), then mcred itself.
#   - Digital Bazaar's verifier: ../shared/tools/vc-peer copied into .peer/vc-peer, its packages from npm.
#   - axe-core (the browser tests' accessibility checks) from npm into tests/axe, as tests/axe/package-lock.json
#     pins it; fonts-dejavu-core (the fonts the PDF certificates embed) from Debian's packages.
#   - the OpenID4VCI tests' wallet (@openid4vc/openid4vci, @openid4vc/oauth2) from npm into tests/wallet, as tests/wallet/package-lock.json pins them
#   - PostgreSQL at 127.0.0.1:5432: the cluster on that port started if it is down; the `test` database created,
#     or, where 127.0.0.1 needs a password (a fresh install), a test role and database. MCRED_TEST_POSTGRES_URL,
#     if set, names a server to use instead.
#   - Then pytest with MCRED_STRICT_TESTS=1: a skipped test (no node, no Chromium, ...) fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "scripts/test.sh: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "not root and no sudo: cannot run '$*'. Install what it needs as root, or run this as root."
  fi
}

APT_UPDATED=""
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "missing: $*. This is not a Debian system: install them, then rerun."
  echo "scripts/test.sh: installing Debian packages: $*" >&2
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- Python: a virtual environment with the locked dependencies -------------------------------------------------
PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null 2>&1 || apt_install python3
if ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
  rm -rf .venv
  if ! "$PYTHON" -m venv .venv >/dev/null 2>&1; then
    # Debian's python3 has no ensurepip without python3-venv.
    rm -rf .venv
    apt_install python3-venv "python3.$("$PYTHON" -c 'import sys; print(sys.version_info[1])')-venv"
    "$PYTHON" -m venv .venv || die "cannot create a virtual environment with $PYTHON"
  fi
fi
.venv/bin/python -m pip install --quiet --require-hashes -r requirements-test.lock
.venv/bin/python -m pip install --quiet --no-deps -e .

# --- Debian packages for the browser and interoperability tests ------------------------------------------------
CHROMIUM="${MCRED_CHROMIUM:-/usr/bin/chromium}"
need=()
[ -x "$CHROMIUM" ] || need+=(chromium)
# the fonts the PDF certificates embed (the service needs them in production too)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if ! command -v node >/dev/null 2>&1; then need+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then need+=(npm)
fi
if [ -z "${MCRED_TEST_POSTGRES_URL:-}" ] && ! command -v pg_lsclusters >/dev/null 2>&1; then need+=(postgresql); fi
if [ ${#need[@]} -gt 0 ]; then apt_install "${need[@]}"; fi
[ -x "$CHROMIUM" ] || die "no Chromium at $CHROMIUM (MCRED_CHROMIUM) after installing Debian's chromium"

# --- The independent verifier/issuer (Digital Bazaar's libraries), from the read-only shared folder -------------
PEER_SRC="${MCRED_PEER_SRC:-../shared/tools/vc-peer}"
PEER_DIR="${MCRED_PEER_DIR:-.peer/vc-peer}"
export MCRED_PEER_DIR="$PEER_DIR"
[ -f "$PEER_SRC/peer.mjs" ] || die "no vc-peer at $PEER_SRC: clone mcred beside ../shared (or set MCRED_PEER_SRC)"
if [ ! -d "$PEER_DIR/node_modules" ] || ! cmp -s "$PEER_SRC/package.json" "$PEER_DIR/package.json" \
    || ! cmp -s "$PEER_SRC/peer.mjs" "$PEER_DIR/peer.mjs"; then
  rm -rf "$PEER_DIR"
  mkdir -p "$(dirname "$PEER_DIR")"
  cp -r "$PEER_SRC" "$PEER_DIR"
  chmod -R u+w "$PEER_DIR"
  (cd "$PEER_DIR" && npm install --no-audit --no-fund --silent)
fi

# --- axe-core for the browser tests' accessibility checks (the version locked in tests/axe/package-lock.json) ------
AXE_VERSION="$(sed -n 's/.*"axe-core": "\(.*\)".*/\1/p' tests/axe/package.json)"
if ! grep -qs "\"version\": \"$AXE_VERSION\"" tests/axe/node_modules/axe-core/package.json; then
  npm ci --prefix tests/axe --no-audit --no-fund --silent
fi

# --- the wallet of the OpenID4VCI tests: the OpenWallet Foundation's client libraries (tests/wallet/package-lock.json)
WALLET_VERSION="$(sed -n 's/.*"@openid4vc\/openid4vci": "\(.*\)".*/\1/p' tests/wallet/package.json)"
if ! grep -qs "\"version\": \"$WALLET_VERSION\"" tests/wallet/node_modules/@openid4vc/openid4vci/package.json; then
  npm ci --prefix tests/wallet --no-audit --no-fund --silent
fi

# --- PostgreSQL ----------------------------------------------------------------------------------------------------
pg_ok() {  # can the tests connect with this SQLAlchemy URL?
  .venv/bin/python - "$1" <<'EOF' >/dev/null 2>&1
import sys
import psycopg
psycopg.connect(sys.argv[1].replace("postgresql+psycopg://", "postgresql://", 1), connect_timeout=5).close()
EOF
}
as_postgres() { as_root runuser -u postgres -- "$@"; }

if [ -n "${MCRED_TEST_POSTGRES_URL:-}" ]; then
  pg_ok "$MCRED_TEST_POSTGRES_URL" || die "cannot connect to MCRED_TEST_POSTGRES_URL"
else
  PG_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test"
  if ! pg_ok "$PG_URL"; then
    # The cluster on port 5432, whichever PostgreSQL version it is (several may be installed).
    read -r ver name status < <(pg_lsclusters --no-header | awk '$3 == 5432 {print $1, $2, $4; exit}') \
      || die "no PostgreSQL cluster on port 5432 (pg_lsclusters): create one (pg_createcluster) or set MCRED_TEST_POSTGRES_URL"
    if [ "$status" != online ]; then as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start; fi
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    if ! pg_ok "$PG_URL"; then
      as_postgres psql -p 5432 -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 \
        || as_postgres createdb -p 5432 test
    fi
    if ! pg_ok "$PG_URL"; then
      # A fresh install asks for a password on 127.0.0.1: a role of the tests' own, allowed to create databases.
      as_postgres psql -p 5432 -q -v ON_ERROR_STOP=1 <<'EOF'
SELECT 'CREATE ROLE mcred_test LOGIN CREATEDB PASSWORD ''mcred_test'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mcred_test') \gexec
SELECT 'CREATE DATABASE mcred_test OWNER mcred_test'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'mcred_test') \gexec
EOF
      PG_URL="postgresql+psycopg://mcred_test:mcred_test@127.0.0.1:5432/mcred_test"
      pg_ok "$PG_URL" || die "cannot connect to PostgreSQL at 127.0.0.1:5432 as postgres (db test) nor as mcred_test"
    fi
  fi
  export MCRED_TEST_POSTGRES_URL="$PG_URL"
fi

# --- Contexts, then the suite ---------------------------------------------------------------------------------------
.venv/bin/mcred setup-contexts >/dev/null
export MCRED_STRICT_TESTS=1
exec .venv/bin/pytest "$@"
