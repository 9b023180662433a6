#!/usr/bin/env bash
# Installs what the native stack (bun stack/up.ts) needs on Debian 12 (bookworm):
# PostgreSQL 15 + server headers, Redis, a C toolchain, and the pgvector extension
# built from Debian's trixie source package (pgvector is not packaged for bookworm).
#
# Idempotent: packages already installed are left alone (never upgraded, so an
# already-running system PostgreSQL is neither restarted nor reconfigured), and the
# pgvector build is skipped when vector.control is already in PG15's extension dir.
# Runs as root; a normal user is re-executed through sudo.
set -Eeuo pipefail

log() { printf '==> install-deps: %s\n' "$*"; }
die() { printf '!!! install-deps: ERROR: %s\n' "$*" >&2; exit 1; }
trap 'die "command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "must run as root, and sudo is not installed"
  log "not root: re-running through sudo"
  exec sudo -- bash "$(readlink -f "$0")" "$@"
fi

# shellcheck disable=SC1091
. /etc/os-release
[ "${VERSION_CODENAME:-}" = bookworm ] ||
  die "this script targets Debian 12 (bookworm); found '${PRETTY_NAME:-unknown}'"

start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
PACKAGES=(postgresql-15 postgresql-server-dev-15 redis-server build-essential)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for pkg in "${PACKAGES[@]}"; do installed "$pkg" || missing+=("$pkg"); done

updated=0
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get update"
  apt-get update -q
  updated=1
  log "installing: ${missing[*]}"
  # --no-upgrade: never upgrade something already installed (an upgrade of
  # postgresql-15 would restart the machine's own cluster).
  apt-get install -y -q --no-install-recommends --no-upgrade "${missing[@]}"
else
  log "packages already installed: ${PACKAGES[*]}"
fi

[ -x "$PG_CONFIG" ] || die "$PG_CONFIG not found after installing postgresql-server-dev-15"
ext_dir="$("$PG_CONFIG" --sharedir)/extension"
lib_dir="$("$PG_CONFIG" --pkglibdir)"

if [ -f "$ext_dir/vector.control" ]; then
  log "pgvector already installed ($ext_dir/vector.control)"
else
  work=$(mktemp -d /tmp/imbi-pgvector.XXXXXX)
  # The trixie deb-src entry lives in an apt configuration private to $work
  # (its own sources dir and lists dir), so the system's apt state never sees
  # trixie; removing $work removes the temporary entry and its index.
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/sources.d" "$work/lists/partial" "$work/src"
  cat >"$work/sources.d/trixie-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt_tmp=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/sources.d"
    -o "Dir::State::Lists=$work/lists" -o APT::Sandbox::User=root)
  log "fetching the pgvector source package from trixie (temporary deb-src entry)"
  if ! apt-get "${apt_tmp[@]}" update -q; then
    # Early bookworm keyrings lack trixie's signing key; a newer keyring is harmless.
    log "trixie index not verified: upgrading debian-archive-keyring and retrying"
    [ "$updated" = 1 ] || apt-get update -q
    apt-get install -y -q --only-upgrade debian-archive-keyring
    apt-get "${apt_tmp[@]}" update -q
  fi
  (cd "$work/src" && apt-get "${apt_tmp[@]}" source -q pgvector)
  src=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n1)
  [ -n "$src" ] || die "apt-get source pgvector produced no source directory"
  log "building $(basename "$src") against PostgreSQL 15"
  make -C "$src" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log" >&2; die "pgvector build failed"; }
  make -C "$src" install PG_CONFIG="$PG_CONFIG" >>"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log" >&2; die "pgvector install failed"; }
  if [ ! -f "$ext_dir/vector.control" ] || [ ! -f "$lib_dir/vector.so" ]; then
    die "pgvector installed but vector.control/vector.so not found in $ext_dir / $lib_dir"
  fi
  log "pgvector installed into $ext_dir"
fi

id postgres >/dev/null 2>&1 || die "system user 'postgres' is missing (postgresql-15 should create it)"
command -v setpriv >/dev/null || die "setpriv (util-linux) is missing"
log "done in $(( $(date +%s) - start ))s"
