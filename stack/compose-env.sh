#!/usr/bin/env bash
# The Docker path: starts compose.yaml's services (`docker compose up -d --wait`,
# a no-op when they already run), looks up the ephemeral host ports Docker
# published, and writes the same .env keys as `bun stack/up.ts` (same merge
# rules: unrelated lines and existing app secrets are kept).
#
# Usage: bash stack/compose-env.sh [--env-file PATH]
# Stop with: docker compose down -v
set -Eeuo pipefail

die() { printf '!!! compose-env: ERROR: %s\n' "$*" >&2; exit 1; }
trap 'die "command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose -f compose.yaml)
elif command -v docker-compose >/dev/null; then
  compose=(docker-compose -f compose.yaml)
else
  die "neither 'docker compose' nor 'docker-compose' is available"
fi
bun=$(command -v bun || echo "$root/node_modules/.bin/bun")
[ -x "$bun" ] || die "bun not found (run: npm/bun install)"

echo "==> compose-env: starting services (docker compose up -d --wait)"
"${compose[@]}" up -d --wait

# `docker compose port SERVICE PORT` prints e.g. 127.0.0.1:49153.
host_port() {
  local mapped
  mapped=$("${compose[@]}" port "$1" "$2" | tail -n1)
  [ -n "$mapped" ] || die "no published port for $1:$2"
  printf '%s' "${mapped##*:}"
}

"$bun" stack/compose-env.ts "$@" \
  --postgres "$(host_port postgres 5432)" \
  --clickhouse "$(host_port clickhouse 8123)" \
  --valkey "$(host_port valkey 6379)" \
  --s3 "$(host_port s3 9000)" \
  --smtp "$(host_port mailpit 1025)" \
  --mailpit-http "$(host_port mailpit 8025)"

echo "==> compose-env: Jaeger UI http://127.0.0.1:$(host_port jaeger 16686)," \
  "OTLP gRPC 127.0.0.1:$(host_port jaeger 4317) (not written to .env)"
