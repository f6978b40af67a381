#!/usr/bin/env bash
# Install the system packages the test suite needs, from Debian's archive only:
#   chromium, chromium-driver (tests/publish/test_browser.py drives the trial page in a real browser)
#   virtuoso-opensource-7-bin (tests/remote/ push to and query a real Virtuoso 7 server)
# The Oxigraph server comes from PyPI (the `oxigraph` package in the test extras), not from here.
# Idempotent: does nothing when every program is already there. Needs root or sudo.
set -euo pipefail

need=()
[[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]] || need+=(chromium chromium-driver fonts-dejavu-core)
[[ -x /usr/bin/virtuoso-t && -x /usr/bin/isql-vt ]] || need+=(virtuoso-opensource-7-bin)
if [[ ${#need[@]} -eq 0 ]]; then
    exit 0
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
echo "system-setup: installing ${need[*]}" >&2
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

/usr/bin/chromium --version
/usr/bin/chromedriver --version
# virtuoso-t +version prints its version and exits 1: check what it printed, not its status.
version="$(/usr/bin/virtuoso-t +version 2>&1 || true)"
if ! grep -q "Virtuoso" <<<"$version"; then
    echo "system-setup: /usr/bin/virtuoso-t +version printed no version: ${version}" >&2
    exit 1
fi
sed -n "1,2p" <<<"$version"
