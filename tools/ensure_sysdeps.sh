#!/usr/bin/env bash
# Install the system packages a make target needs (tools/sysdeps.txt lists them), when missing and we may.
#   usage: tools/ensure_sysdeps.sh test|demo|bench
# Without root or apt-get (or with XYD_SYSDEPS_NO_INSTALL=1) nothing is installed: a missing need fails
# with one line naming each missing program and its package.
set -euo pipefail
target=${1:-test}
list=${XYD_SYSDEPS_FILE:-"$(dirname "$0")/sysdeps.txt"}

present() {  # present cmd:NAME | file:PATH
  case "$1" in
    cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
    file:*) [ -e "${1#file:}" ] ;;
    *) echo "ensure_sysdeps: $list: unknown check '$1' (use cmd: or file:)" >&2; exit 2 ;;
  esac
}

missing() {  # prints "name (package)" per missing need of $target, and the packages on the last line
  local targets check package why names=() packages=()
  while read -r targets check package why; do
    case "$targets" in ''|'#'*) continue ;; esac
    [[ ",$targets," == *",$target,"* ]] || continue
    present "$check" && continue
    names+=("${check#*:} ($package)")
    packages+=("$package")
  done < "$list"
  [ ${#names[@]} -eq 0 ] && return 0
  local joined
  joined=$(printf ', %s' "${names[@]}")
  echo "${joined:2}"
  echo "${packages[*]}"
}

report=$(missing)
[ -z "$report" ] && exit 0
names=$(sed -n 1p <<<"$report")
packages=$(sed -n 2p <<<"$report")
if [ "${XYD_SYSDEPS_NO_INSTALL:-0}" = 1 ] || [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_sysdeps: make $target needs $names; install as root: apt-get install -y $packages" >&2
  exit 1
fi
echo "ensure_sysdeps: installing $packages for make $target"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086  # one word per package
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends $packages >/dev/null; }; then
  echo "ensure_sysdeps: make $target needs $names; apt-get could not install: $packages" >&2
  exit 1
fi
still=$(missing | sed -n 1p)
if [ -n "$still" ]; then
  echo "ensure_sysdeps: make $target still lacks $still after installing $packages" >&2
  exit 1
fi
