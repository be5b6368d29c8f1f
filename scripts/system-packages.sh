#!/usr/bin/env bash
# Installs the system packages Aurum needs when they are missing: PostgreSQL (server programs
# initdb/pg_ctl for the embedded cluster), libxml2-dev (FoundationXML), libpq-dev, zlib1g-dev (linking
# needs -lz; slim images lack it), and python3
# (the tests check the Odoo double with Python's own xmlrpc.client); with --tests, headless Chromium
# and its WebDriver too (the status page's browser test).
# Works on a fresh Debian 12 machine, where even the package lists may be missing.
set -euo pipefail

have_postgres() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

missing=()
have_postgres || missing+=(postgresql)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
# python3-venv: the API description is checked by a standard validator from PyPI, in a venv of its own.
for package in libxml2-dev libpq-dev zlib1g-dev python3-venv; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
# --tests: also chromium and chromium-driver, as the status page is tested in a real headless
# browser over WebDriver (the demo does without them).
if [ "${1:-}" = "--tests" ]; then
  for package in chromium chromium-driver; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
fi
# The embedded cluster runs as the postgres user when Aurum runs as root; the package creates it.
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  missing+=(postgresql)
fi

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "installing system packages: ${missing[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
