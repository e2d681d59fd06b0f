#!/usr/bin/env bash
# Headless Chromium for the browser tests, from Debian (Playwright's own browser download is not used).
set -euo pipefail
if [ -x "${CME_CHROMIUM:-/usr/bin/chromium}" ]; then
  exit 0
fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "installing Debian's chromium for the browser tests..."
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
