#!/usr/bin/env bash
# The lab's own PostgreSQL cluster (issue 14): ./lab db start|stop|status runs this.
#   cluster.sh start   initdb (first time) and start a private cluster, create the lab's
#                      database, table and query function (schema.sql), print its URI
#   cluster.sh stop    stop it (fast shutdown: open sessions are ended)
#   cluster.sh status  say whether it runs, where, and its URI; exit 0 if it runs, 3 if not
#   cluster.sh uri     print the URI (whether or not it runs)
# Environment:
#   LAB_DB_DIR    where it lives (default: build/db beside this checkout); data in DIR/data,
#                 the Unix socket in DIR/run, the server's log in DIR/log, and while it runs
#                 its URI in DIR/uri (lab-server's default --db, found beside its binary)
#   LAB_DB_PORT   the port (default 55432). It only names the socket file: the cluster listens
#                 on no TCP address at all (listen_addresses = ''), so any number will do
#   LAB_DB_MAX_CONNECTIONS  PostgreSQL's max_connections (default 100, PostgreSQL's own)
# Settings for a laboratory, not for data anyone keeps: fsync=off, trust authentication on the
# Unix socket (mode 0700 directory: only its owner connects). As root, initdb and postgres run
# as Debian's `postgres` system user (initdb refuses root); otherwise as the calling user.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DIR="${LAB_DB_DIR:-$ROOT/build/db}"
PORT="${LAB_DB_PORT:-55432}"
MAX_CONNECTIONS="${LAB_DB_MAX_CONNECTIONS:-100}"
PGBIN="${LAB_PGBIN:-/usr/lib/postgresql/15/bin}"
DATA="$DIR/data"
RUN="$DIR/run"
LOG="$DIR/log"

die() { printf 'lab db: %s\n' "$*" >&2; exit 1; }

# As root the cluster runs as `postgres` through runuser, which lives in /usr/sbin: not on the
# PATH of every root shell (env -i, a bare chroot).
RUNUSER="$(command -v runuser || echo /usr/sbin/runuser)"

[[ "$PORT" =~ ^[0-9]+$ ]] && ((PORT >= 1 && PORT <= 65535)) || {
  printf 'lab db: LAB_DB_PORT must be a port number (1-65535), not %s\n' "$PORT" >&2
  exit 2
}
[[ "$MAX_CONNECTIONS" =~ ^[0-9]+$ ]] && ((MAX_CONNECTIONS >= 10 && MAX_CONNECTIONS <= 10000)) || {
  printf 'lab db: LAB_DB_MAX_CONNECTIONS must be 10-10000, not %s\n' "$MAX_CONNECTIONS" >&2
  exit 2
}

uri() { printf 'postgresql:///lab?host=%s&port=%s&user=lab\n' "$RUN" "$PORT"; }

# Runs a command as the cluster's owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    "$RUNUSER" -u postgres -- "$@"
  else
    "$@"
  fi
}

running() {
  [[ -f "$DATA/postmaster.pid" ]] && as_owner "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

init_cluster() {
  [[ -x "$PGBIN/initdb" ]] || die "no $PGBIN/initdb: install postgresql-15 (./lab setup does)"
  mkdir -p "$DIR"
  if [[ $(id -u) -eq 0 ]]; then
    getent passwd postgres >/dev/null || die "no 'postgres' user to run the cluster as root"
    chown postgres: "$DIR"
    # The owner must reach DIR through every directory above it.
    "$RUNUSER" -u postgres -- test -x "$DIR" ||
      die "user postgres cannot reach $DIR (a directory above it is not searchable); set LAB_DB_DIR"
  fi
  as_owner mkdir -p "$RUN"
  chmod 700 "$RUN"
  as_owner "$PGBIN/initdb" -D "$DATA" -U lab -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$DIR/initdb.log" 2>&1 || die "initdb failed: see $DIR/initdb.log"
  cat >>"$DATA/postgresql.conf" <<EOF

# The Concurrency Models Lab (harness/db/cluster.sh): a private laboratory cluster.
listen_addresses = ''
unix_socket_directories = '$RUN'
port = $PORT
max_connections = $MAX_CONNECTIONS
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
EOF
}

cmd_start() {
  [[ -f "$DATA/PG_VERSION" ]] || init_cluster
  if running; then
    uri >"$DIR/uri"
    uri
    return 0
  fi
  sed -i "s/^max_connections = .*/max_connections = $MAX_CONNECTIONS/" "$DATA/postgresql.conf"
  as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 start >/dev/null ||
    die "the cluster did not start: see $LOG"
  local psql=(as_owner "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN" -p "$PORT" -U lab)
  if ! "${psql[@]}" -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'lab'" |
    grep -q 1; then
    "${psql[@]}" -d postgres -c 'CREATE DATABASE lab' || die "could not create database lab"
  fi
  "${psql[@]}" -d lab -f "$HERE/schema.sql" >/dev/null || die "could not load $HERE/schema.sql"
  # lab-server's default database (--db) while the cluster runs: build/db/uri.
  uri >"$DIR/uri"
  uri
}

cmd_stop() {
  if running; then
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null || die "could not stop it"
    rm -f "$DIR/uri"
    echo "lab db: stopped"
  else
    echo "lab db: not running"
  fi
}

cmd_status() {
  if running; then
    echo "lab db: running (pid $(head -n 1 "$DATA/postmaster.pid")), data in $DATA"
    local max
    max=$(as_owner "$PGBIN/psql" -X -h "$RUN" -p "$PORT" -U lab -d lab -Atc 'SHOW max_connections' 2>/dev/null || echo '?')
    echo "  socket $RUN/.s.PGSQL.$PORT, max_connections $max, log $LOG"
    echo "  uri $(uri)"
  else
    echo "lab db: not running (data in $DATA)"
    return 3
  fi
}

case "${1:-status}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  uri) uri ;;
  *) printf 'lab db: unknown command %s (start, stop, status, uri)\n' "$1" >&2; exit 2 ;;
esac
