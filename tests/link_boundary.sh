#!/usr/bin/env bash
# The link boundary (see tests/link_boundary.cmake): fails if a program links code it must
# only talk to. Two checks, each enough on its own to fail:
#   the targets: none of the --forbid-target names is in --links, the program's link closure
#     as CMake has it (every library it links, directly or not);
#   the binary: it defines no global function or variable that a --forbid-archive defines
#     (nm): a static library's code is in the program only if the program uses it, so this
#     names what it really took (a model's serve function, the server core's trace).
# --own names a symbol the program must define, so that a stripped binary, whose nm shows
# nothing, cannot pass.
# usage: link_boundary.sh --program NAME --binary PATH --own SYMBOL --links 'a,b,c'
#          [--forbid-target TARGET]... [--forbid-archive LIB.a]...
# Exit status: 0 within the boundary; 1 across it (one line per finding); 2 bad usage.
set -euo pipefail

program="" binary="" own="" links=""
forbid_targets=() forbid_archives=()
while (($#)); do
  case "$1" in
    --program) program="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    --own) own="$2"; shift 2 ;;
    --links) links="$2"; shift 2 ;;
    --forbid-target) forbid_targets+=("$2"); shift 2 ;;
    --forbid-archive) forbid_archives+=("$2"); shift 2 ;;
    *) echo "link_boundary.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n "$program" && -n "$binary" && -n "$own" ]] || { echo "link_boundary.sh: give --program, --binary and --own" >&2; exit 2; }

# The global code and data symbols (nm types T, D, B, R) that files define, demangled, sorted.
defined() {
  nm --defined-only -C "$@" | awk '$2 ~ /^[TDBR]$/ { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' |
    LC_ALL=C sort -u
}

failed=0
IFS=',' read -r -a linked <<<"$links"
for target in "${forbid_targets[@]}"; do
  for lib in "${linked[@]}"; do
    if [[ "$lib" == "$target" ]]; then
      echo "$program links the target $target (CMake: its link closure is ${links})"
      failed=1
    fi
  done
done

own_symbols="$(defined "$binary")"
if ! grep -qF -- "$own" <<<"$own_symbols"; then
  echo "$program: nm finds no $own in $binary (stripped?): cannot check what it links"
  exit 1
fi
if ((${#forbid_archives[@]})); then
  forbidden="$(defined "${forbid_archives[@]}")"
  [[ -n "$forbidden" ]] || { echo "link_boundary.sh: the forbidden archives define nothing"; exit 2; }
  both="$(LC_ALL=C comm -12 <(printf '%s\n' "$own_symbols") <(printf '%s\n' "$forbidden"))"
  if [[ -n "$both" ]]; then
    count=$(wc -l <<<"$both")
    echo "$program defines $count symbols of $(basename -a "${forbid_archives[@]}" | paste -sd' '), e.g.:"
    grep -F 'lab::serve_' <<<"$both" | head -3 || true
    grep -vF 'lab::serve_' <<<"$both" | head -3 || true
    failed=1
  fi
fi
if ((failed)); then
  echo "$program must learn the models from lab-server --list-models --json and link only lab_measure_shared of the server's code"
  exit 1
fi
echo "$program: links none of ${forbid_targets[*]}, defines no symbol of their archives"
