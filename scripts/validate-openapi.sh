#!/usr/bin/env bash
# Checks docs/openapi.yaml with a standard OpenAPI validator (openapi-spec-validator, from PyPI,
# in a virtual environment of its own under .tools/; made on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.tools/openapi-venv
if [ ! -x "$venv/bin/openapi-spec-validator" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "openapi-spec-validator==0.9.0"
fi
"$venv/bin/openapi-spec-validator" docs/openapi.yaml
