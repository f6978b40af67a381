#!/usr/bin/env bash
# Install Debian's chromium and chromium-driver (for tests/publish/test_browser.py) when missing.
# Idempotent: does nothing when both /usr/bin/chromium and /usr/bin/chromedriver exist.
# No browser is downloaded from anywhere but the Debian archive.
set -euo pipefail

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    exit 0
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null

/usr/bin/chromium --version
/usr/bin/chromedriver --version
