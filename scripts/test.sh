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

# redis-server (Debian package) for tests/redis_shared.rs; each test starts
# and stops its own server on a free loopback port.
if ! command -v redis-server >/dev/null 2>&1 && [ ! -x /usr/bin/redis-server ]; then
  echo "installing redis-server" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq redis-server >/dev/null
  # the package may start a system instance; the tests use their own
  (service redis-server stop || systemctl stop redis-server) >/dev/null 2>&1 || true
fi

# The tests talk to servers on loopback; a proxy in the environment
# (HTTP_PROXY, ...) must not carry that traffic. (tests/proxy_env.rs sets
# its own environment.)
export NO_PROXY="127.0.0.1,localhost,::1${NO_PROXY:+,$NO_PROXY}"

cargo test --workspace --no-fail-fast "$@"
