#!/usr/bin/env bash
# Install the Debian packages a target needs, when they are missing and we may.
#   test:  PostgreSQL 15 server binaries (the tests' PostgreSQL lane), Noto CJK fonts (Chinese PDFs)
#   bench: the same, plus wrk (the HTTP load tool of the API benchmark)
set -euo pipefail
target=${1:-test}
missing=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
if [ "$target" = bench ]; then
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages: ${missing[*]} (install them with apt-get as root)" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
