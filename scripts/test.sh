#!/usr/bin/env bash
# Runs every test of the workspace, installing what the tests need first.
# Usage: scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

# Python packages used by tests as independent validators:
#   jsonschema            - spec/schema.json and every spec file against it
#   openapi-spec-validator - the OpenAPI export of `helpdesk-spec openapi`
need=()
python3 -c "import jsonschema" 2>/dev/null || need+=(jsonschema)
python3 -c "import openapi_spec_validator" 2>/dev/null || need+=(openapi-spec-validator)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Python test tools: ${need[*]}" >&2
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "${need[@]}"
fi

cargo test --workspace --no-fail-fast "$@"
