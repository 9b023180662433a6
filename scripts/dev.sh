#!/usr/bin/env bash
# The newcomer's entry point, also used by CI (.ci/run):
#   bash scripts/dev.sh serve   install what is missing, start the stack, serve the API with reload
#   bash scripts/dev.sh test    install what is missing, start a stack, typecheck, run every test
#   bash scripts/dev.sh stack   start the stack only (writes .env); `bun stack/down.ts` stops it
# Installs: Debian packages + pgvector (stack/install-deps.sh, needs root or sudo),
# bun from npm (pinned in package.json), and the locked node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_system() {
  if [ -x /usr/lib/postgresql/15/bin/postgres ] && [ -f /usr/share/postgresql/15/extension/vector.control ] \
     && command -v redis-server >/dev/null 2>&1; then
    return
  fi
  log "installing system packages (PostgreSQL 15, pgvector, Redis)"
  if [ "$(id -u)" -eq 0 ]; then bash stack/install-deps.sh; else sudo bash stack/install-deps.sh; fi
}

ensure_bun() {
  local want
  want=$(node -p 'require("./package.json").devDependencies.bun')
  if [ -x node_modules/.bin/bun ] && [ "$(node_modules/.bin/bun --version)" = "$want" ]; then
    BUN=node_modules/.bin/bun
  else
    if [ ! -x .tools/node_modules/.bin/bun ] || [ "$(.tools/node_modules/.bin/bun --version)" != "$want" ]; then
      log "installing bun $want from npm"
      npm install --prefix .tools --no-save --no-audit --no-fund "bun@$want" >&2
    fi
    BUN=.tools/node_modules/.bin/bun
  fi
  log "installing dependencies (bun install --frozen-lockfile)"
  "$BUN" install --frozen-lockfile >&2
  BUN=node_modules/.bin/bun
  export PATH="$PWD/node_modules/.bin:$PATH"
}

stack_running() { "$BUN" stack/status.ts --quiet >/dev/null 2>&1; }

# Prints "N passed, N failed" from bun's own summary, for harnesses that read the last line.
summarize() {
  awk '/^ *[0-9]+ pass$/ {p=$1} /^ *[0-9]+ fail$/ {f=$1} /^ *[0-9]+ (skip|todo)$/ {s+=$1}
       END { printf "%d passed, %d failed", p, f; if (s > 0) printf ", %d skipped", s; print "" }' "$1"
}

run_tests() {
  local started=0 status=0 output
  if ! stack_running; then
    log "starting the service stack"
    "$BUN" stack/up.ts
    started=1
  fi
  output=$(mktemp)
  # PIPESTATUS must be read right after each pipeline (set -e is off around them).
  set +e
  log "typecheck"
  tsc --noEmit -p . 2>&1 | tee "$output"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  log "bun test"
  # Tests start real servers and processes; slow CI machines need more than bun's 5 s default.
  "$BUN" test --timeout 30000 "$@" 2>&1 | tee -a "$output"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  set -e
  if [ "$started" -eq 1 ]; then
    log "stopping the service stack"
    "$BUN" stack/down.ts >&2 || status=1
  fi
  summarize "$output"
  return "$status"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  serve)
    ensure_system; ensure_bun
    stack_running || "$BUN" stack/up.ts
    log "serving on http://localhost:8000 (stop with Ctrl-C; stop the services with: bun stack/down.ts)"
    exec "$BUN" src/main.ts serve --dev "$@"
    ;;
  test)
    ensure_system; ensure_bun
    run_tests "$@"
    ;;
  stack)
    ensure_system; ensure_bun
    "$BUN" stack/up.ts "$@"
    ;;
  *)
    echo "usage: bash scripts/dev.sh serve|test|stack" >&2
    exit 64
    ;;
esac
