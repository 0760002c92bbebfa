#!/usr/bin/env bash
# The README's promise checked end to end on a fresh Debian 12 (issue 15). Each check takes
# many minutes, needs root and Debian's package mirror (and npm's registry, for the trace
# viewer), so neither is in .ci/run: run them by hand before resolving an issue that changes
# what ./lab setup installs, the Dockerfile, or what the lab needs from the machine.
#   fresh_debian.sh clean-root   (./lab check-clean-root) ./lab demo, then ./lab test, as a new
#                                user runs them: as root in a clean Debian 12 root made by
#                                debootstrap, with no locale (no LANG, no LC_*) and root's PATH
#   fresh_debian.sh container    (./lab check-container) the Dockerfile built with Podman on
#                                that same root imported as its base image (no registry needed),
#                                then ./lab test in the container with the source mounted at /lab.
#                                Where Podman cannot run a container (it says why), the build's
#                                RUN steps are chrooted and ./lab test runs chrooted in the image
# Both test the committed source (git archive HEAD), never the working tree, and say so if it
# differs. Options:
#   --fresh-base  debootstrap again, and build the image without Podman's layer cache
#   --keep        keep the clean root (build/clean-root/root) after the check
# Files: build/debian-bookworm/rootfs.tar, the debootstrap of bookworm (minbase, like Debian's
# container images), made once and reused; build/clean-root/ and build/container/ (the image
# store, kept as a cache), each with a log per step. Environment: LAB_DEBIAN_MIRROR (default
# http://deb.debian.org/debian), LAB_CHECK_MINUTES (the most each inner ./lab command may take,
# default 60), NODE_EXTRA_CA_CERTS (where the network's HTTPS proxy has a certificate authority
# of its own: npm in the root and in the container trusts it too, as on this machine).
# Exit status: 0 if every step passed, 1 if one failed, 2 for a bad argument.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# debootstrap, chroot and runuser live in sbin, which a root shell's PATH may lack.
PATH="$PATH:/usr/sbin:/sbin"
MIRROR="${LAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
MINUTES="${LAB_CHECK_MINUTES:-60}"
BASE_DIR="$ROOT/build/debian-bookworm"
BASE_TAR="$BASE_DIR/rootfs.tar"
BASE_IMAGE="localhost/debian:bookworm"
LAB_IMAGE="localhost/concurrency-lab:check"
# A new root user's PATH (Debian's /etc/profile for uid 0), and nothing else but HOME.
ROOT_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The certificate authorities npm must trust beyond Node's own (a TLS-intercepting proxy's), as
# this machine's npm does; where the root and the container find them.
EXTRA_CA="${NODE_EXTRA_CA_CERTS:-}"
EXTRA_CA_INSIDE="/etc/lab-check-extra-ca.pem"

say() { printf 'lab: %s: %s\n' "$CHECK" "$*"; }
die() { printf 'lab: %s: %s\n' "$CHECK" "$*" >&2; exit 1; }
usage_error() { printf 'lab: %s\n' "$*" >&2; exit 2; }

# Installs a Debian package whose command is missing (as root), or says how.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  say "installing $2"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" >/dev/null ||
    die "could not install $2: run apt-get update && apt-get install $2"
}

# "12 min 3 s" since a $SECONDS value.
took() { local s=$((SECONDS - $1)); printf '%d min %d s' $((s / 60)) $((s % 60)); }

# Shows the end of a step's log after it failed.
show_tail() { printf -- '--- the last lines of %s:\n' "$1" >&2; tail -n 40 "$1" >&2; }

# --- The base: a debootstrap of bookworm, as a tarball (the chroot's and the image's root) ---

# Makes BASE_TAR unless it is there (or --fresh-base). One check at a time may make it (flock).
make_base() {
  mkdir -p "$BASE_DIR"
  local lock
  exec {lock}>"$BASE_DIR/.lock"
  flock "$lock"
  if [[ -s "$BASE_TAR" ]] && ((!FRESH_BASE)); then
    say "base: reusing $BASE_TAR (made $(date -r "$BASE_TAR" '+%F %H:%M'); --fresh-base makes it again)"
    exec {lock}>&-
    return 0
  fi
  need debootstrap debootstrap
  local tree="$BASE_DIR/rootfs.new" log="$BASE_DIR/debootstrap.log" start=$SECONDS
  rm -rf "$tree"
  say "base: debootstrap --variant=minbase bookworm from $MIRROR (log: $log)"
  # In a mount namespace of its own: whatever debootstrap mounts in the tree goes with it.
  unshare --mount --propagation private -- timeout 30m \
    debootstrap --variant=minbase bookworm "$tree" "$MIRROR" >"$log" 2>&1 ||
    { show_tail "$log"; die "debootstrap failed"; }
  configure_base "$tree"
  tar --numeric-owner -C "$tree" -cf "$BASE_TAR.new" .
  mv "$BASE_TAR.new" "$BASE_TAR"
  rm -rf "$tree"
  say "base: made $BASE_TAR in $(took "$start")"
  exec {lock}>&-
}

# What a Debian 12 machine or container image has beyond debootstrap's tree: the updates and
# security suites, and no package lists or downloaded packages (./lab setup updates them).
configure_base() {
  local tree="$1"
  rm -f "$tree/etc/apt/sources.list"
  cat >"$tree/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # No init system runs in a chroot or a container: without this, installing postgresql-15
  # would start Debian's default cluster from its init script, a process that outlives the check.
  printf '#!/bin/sh\n# Services are not started here (see tests/fresh_debian.sh).\nexit 101\n' \
    >"$tree/usr/sbin/policy-rc.d"
  chmod 755 "$tree/usr/sbin/policy-rc.d"
  rm -rf "$tree"/var/lib/apt/lists/* "$tree"/var/cache/apt/archives/*.deb
}

# --- The source under test: the committed tree ---

# Writes HEAD's tree into directory (which must not exist); says which revision, and whether
# the working tree has changes that the check does not see.
export_source() {
  git -C "$ROOT" rev-parse --verify -q HEAD >/dev/null || die "$ROOT is not a git checkout with a commit"
  mkdir -p "$1"
  git -C "$ROOT" archive HEAD | tar -x -C "$1"
  local note=""
  [[ -z "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]] ||
    note=" (the working tree's uncommitted changes are not in it: commit them to check them)"
  say "source: $(git -C "$ROOT" log -1 --format='%h %s' | cut -c1-70)$note"
}

# --- ./lab check-clean-root ---

# The script run in a root's own mount and PID namespaces: the kernel's file systems a booted
# machine has (and BIND_SOURCE at /lab, if set: a container's mount), then the command chrooted
# with exactly the environment given. When its last process ends, the namespaces end, and with
# them every mount and every process the lab left (a server, a database), whatever happened.
# shellcheck disable=SC2016  # expanded by the inner bash
ENTER_ROOT='
set -e
root=$1; shift
mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
if [[ -n "$BIND_SOURCE" ]]; then mkdir -p "$root/lab"; mount --bind "$BIND_SOURCE" "$root/lab"; fi
exec chroot "$root" /usr/bin/env -i "$@"
'

# Runs `./lab NAME` in /lab of the root file system ROOT (SOURCE bind-mounted there unless it
# is ""), with the environment given as VAR=value words and nothing else, bounded by MINUTES;
# its output goes to WORK/STEP.log. Returns its exit status.
lab_in_root() {
  local step="$1" root="$2" source="$3" name="$4" start=$SECONDS status=0
  shift 4
  local log="$WORK/$step.log"
  say "./lab $name (log: $log)"
  # bash stays the namespace's first process (the trailing exit keeps it from exec'ing
  # timeout), so that it reaps what the lab orphans, as init does on a machine.
  # shellcheck disable=SC2016  # $1 and $2 are the inner bash's
  BIND_SOURCE="$source" unshare --mount --pid --fork --kill-child --propagation private -- \
    /bin/bash -c "$ENTER_ROOT" enter-root "$root" "$@" /bin/bash -c \
    'cd /lab || exit 1; timeout --kill-after=30 "$1" ./lab "$2"; exit $?' \
    lab "${MINUTES}m" "$name" >"$log" 2>&1 &
  CHILD=$!
  wait "$CHILD" || status=$?
  CHILD=""
  if ((status == 0)); then
    say "./lab $name passed in $(took "$start")"
  else
    show_tail "$log"
    ((status == 124)) && say "./lab $name took more than $MINUTES min (LAB_CHECK_MINUTES)"
    say "./lab $name FAILED (status $status) after $(took "$start")"
  fi
  return "$status"
}

# The mounts under directory that this mount namespace still has (none, after a check).
mounts_under() {
  awk -v dir="$1" '$5 == dir || index($5, dir "/") == 1 { print $5 }' /proc/self/mountinfo
}

check_clean_root() {
  WORK="$ROOT/build/clean-root"
  local root="$WORK/root" failed=0
  make_base
  [[ -z "$(mounts_under "$WORK")" ]] || die "something is still mounted under $WORK: $(mounts_under "$WORK" | head -3)"
  rm -rf "$root"
  mkdir -p "$root"
  tar -C "$root" -xf "$BASE_TAR"
  # The name server a booted machine would have been given.
  cp --remove-destination /etc/resolv.conf "$root/etc/resolv.conf"
  export_source "$root/lab"
  local environment=("PATH=$ROOT_PATH" HOME=/root)
  if [[ -n "$EXTRA_CA" ]]; then
    cp "$EXTRA_CA" "$root$EXTRA_CA_INSIDE"
    environment+=("NODE_EXTRA_CA_CERTS=$EXTRA_CA_INSIDE")
  fi
  lab_in_root demo "$root" "" demo "${environment[@]}" || failed=1
  lab_in_root test "$root" "" test "${environment[@]}" || failed=1
  if ((KEEP)); then
    say "the root is kept in $root (--keep)"
  else
    say "removing the root ($(du -sh "$root" | cut -f1))"
    rm -rf "$root"
  fi
  return "$failed"  # set -e: a failed step fails the check, after the cleanup above
}

# --- ./lab check-container ---

# Podman with its whole store under build/container (images kept as a cache between checks),
# no systemd (cgroupfs, events in a file). Sets PODMAN; the storage driver is overlay where the
# file system allows it, else vfs (a full copy per layer: slow, but works anywhere).
choose_podman() {
  local driver
  for driver in overlay vfs; do
    PODMAN=(podman --root "$WORK/storage" --runroot "$WORK/run" --tmpdir "$WORK/tmp"
      --storage-driver "$driver" --cgroup-manager cgroupfs --events-backend file)
    if "${PODMAN[@]}" info >"$WORK/info.log" 2>&1; then
      say "podman $(podman --version | awk '{print $3}'), storage driver $driver"
      return 0
    fi
  done
  show_tail "$WORK/info.log"
  die "podman info failed with the overlay and the vfs storage drivers"
}

# Whether Podman can run a container here: `podman run BASE true` as a student would, then
# with the descriptor and process limits this shell has (as root, Podman asks for 1048576 of
# each, which needs CAP_SYS_RESOURCE where the hard limits are lower, and caps its own process
# limit at 32768 there). Sets LIMIT_FLAGS and RUN_FLAGS to what worked, or returns 1 having
# said what failed.
probe_runtime() {
  local log="$WORK/probe.log" nofile nproc
  LIMIT_FLAGS=()
  RUN_FLAGS=(--network=host --pids-limit=-1)
  "${PODMAN[@]}" run --rm "${RUN_FLAGS[@]}" "$BASE_IMAGE" true >"$log" 2>&1 && return 0
  say "podman run failed: $(grep -m1 -i error "$log" || tail -n 1 "$log")"
  nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
  if [[ "$nproc" == unlimited ]] || ((nproc > 32768)); then nproc=32768; fi
  LIMIT_FLAGS=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
  RUN_FLAGS+=("${LIMIT_FLAGS[@]}")
  "${PODMAN[@]}" run --rm "${RUN_FLAGS[@]}" "$BASE_IMAGE" true >>"$log" 2>&1 && return 0
  say "podman run ${LIMIT_FLAGS[*]} failed: $(grep -i error "$log" | tail -n 1)"
  return 1
}

# Runs a step bounded by MINUTES with its output in WORK/NAME.log; fails the check if it fails.
step() {
  local name="$1" log="$WORK/$1.log" start=$SECONDS status=0
  shift
  say "$name (log: $log)"
  timeout --kill-after=30 "${MINUTES}m" "$@" >"$log" 2>&1 &
  CHILD=$!
  wait "$CHILD" || status=$?
  CHILD=""
  if ((status != 0)); then
    show_tail "$log"
    die "$name FAILED (status $status) after $(took "$start")"
  fi
  say "$name passed in $(took "$start")"
}

# The image's own environment (its ENV lines, PATH as Podman gives a container) and HOME.
image_environment() {
  local environment
  environment=$("${PODMAN[@]}" image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$LAB_IMAGE")
  grep -q '^PATH=' <<<"$environment" || echo "PATH=$ROOT_PATH"
  printf '%s\n' "$environment" | grep -v '^$'
  echo "HOME=/root"
}

check_container() {
  WORK="$ROOT/build/container"
  make_base
  need podman podman
  mkdir -p "$WORK/tmp"
  choose_podman
  rm -rf "$WORK/src"
  export_source "$WORK/src"
  step import "${PODMAN[@]}" import --quiet "$BASE_TAR" "$BASE_IMAGE"
  local build_flags=(--pull=never --network=host --build-arg "BASE=$BASE_IMAGE" --tag "$LAB_IMAGE")
  ((FRESH_BASE)) && build_flags+=(--no-cache)
  local ca_flags=()
  if [[ -n "$EXTRA_CA" ]]; then
    ca_flags=(--volume "$EXTRA_CA:$EXTRA_CA_INSIDE:ro")
    build_flags+=("${ca_flags[@]}" --build-arg "NODE_EXTRA_CA_CERTS=$EXTRA_CA_INSIDE")
    ca_flags+=(--env "NODE_EXTRA_CA_CERTS=$EXTRA_CA_INSIDE")
  fi
  if probe_runtime; then
    step build "${PODMAN[@]}" build "${build_flags[@]}" "${LIMIT_FLAGS[@]}" \
      --file "$WORK/src/Dockerfile" "$WORK/src"
    step test "${PODMAN[@]}" run --rm --name "lab-check-$$" "${RUN_FLAGS[@]}" "${ca_flags[@]}" \
      --volume "$WORK/src:/lab" "$LAB_IMAGE" ./lab test
  else
    # Podman cannot run a container here. The Dockerfile is still built by Podman, its RUN
    # steps chrooted (--isolation=chroot: no OCI runtime), and ./lab test runs in a container
    # made of that image but never started: its file system mounted and entered as the clean
    # root is, with the image's environment and the source at /lab. What this leaves out is
    # the runtime's confinement (seccomp, capabilities, cgroups).
    say "so: RUN steps with --isolation=chroot, and ./lab test chrooted into the image's file system"
    step build "${PODMAN[@]}" build "${build_flags[@]}" --isolation=chroot \
      --file "$WORK/src/Dockerfile" "$WORK/src"
    "${PODMAN[@]}" create --name "lab-check-$$" "$LAB_IMAGE" true >/dev/null
    local rootfs environment=()
    rootfs=$("${PODMAN[@]}" mount "lab-check-$$")
    mapfile -t environment < <(image_environment)
    if [[ -n "$EXTRA_CA" ]]; then
      cp "$EXTRA_CA" "$rootfs$EXTRA_CA_INSIDE"  # into the container's own layer, removed with it
      environment+=("NODE_EXTRA_CA_CERTS=$EXTRA_CA_INSIDE")
    fi
    lab_in_root test "$rootfs" "$WORK/src" test "${environment[@]}" ||
      die "./lab test failed in the image's file system"
  fi
  say "image $LAB_IMAGE kept in $WORK/storage (a cache for the next check)"
}

# Whatever happened: no container of ours running, nothing of ours mounted, no child left;
# then the verdict.
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  local status=$?
  if [[ -n "${CHILD:-}" ]]; then
    kill -TERM "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  if ((${#PODMAN[@]})); then
    "${PODMAN[@]}" rm --force --ignore "lab-check-$$" >/dev/null 2>&1 || true
    # A build stopped halfway leaves its working container (Buildah's, listed with --external).
    local id
    for id in $("${PODMAN[@]}" ps --all --external --quiet 2>/dev/null); do
      "${PODMAN[@]}" rm --force "$id" >/dev/null 2>&1 || true
    done
    "${PODMAN[@]}" unmount --all >/dev/null 2>&1 || true
  fi
  if [[ -n "${WORK:-}" && -n "$(mounts_under "$WORK")" ]]; then
    say "still mounted under $WORK: $(mounts_under "$WORK" | tr '\n' ' ')"
    ((status)) || status=1
  fi
  if ((status == 0)); then say "PASSED in $(took "$START")"; else say "FAILED after $(took "$START")"; fi
  exit "$status"
}

main() {
  local what="${1:-}"
  [[ "$what" == clean-root || "$what" == container ]] ||
    usage_error "fresh_debian.sh: give clean-root or container (./lab check-clean-root, ./lab check-container)"
  CHECK="check-$what"
  shift
  FRESH_BASE=0 KEEP=0
  while (($#)); do
    case "$1" in
      --fresh-base) FRESH_BASE=1 ;;
      --keep) [[ "$what" == clean-root ]] || usage_error "$CHECK: --keep is for check-clean-root"
        KEEP=1 ;;
      *) usage_error "$CHECK: unknown argument $1 (give --fresh-base$([[ "$what" == clean-root ]] && echo ' or --keep'))" ;;
    esac
    shift
  done
  [[ "$MINUTES" =~ ^[1-9][0-9]{0,3}$ ]] || usage_error "$CHECK: LAB_CHECK_MINUTES must be 1 to 9999, not $MINUTES"
  [[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, chroot, podman as root)"
  [[ -z "$EXTRA_CA" || -r "$EXTRA_CA" ]] || die "NODE_EXTRA_CA_CERTS names $EXTRA_CA, which cannot be read"
  [[ -z "$EXTRA_CA" ]] || say "npm inside trusts the authorities in $EXTRA_CA too (NODE_EXTRA_CA_CERTS)"
  CHILD="" WORK="" PODMAN=() START=$SECONDS
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  # Called plainly (not in an `if` or `||`), so that set -e holds inside: any unexpected
  # failure ends the check, and the EXIT trap says so.
  if [[ "$what" == clean-root ]]; then check_clean_root; else check_container; fi
}

main "$@"; exit  # on one line: bash has read it all before the check runs (safe to edit meanwhile)
