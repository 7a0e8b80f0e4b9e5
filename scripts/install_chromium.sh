#!/usr/bin/env bash
# Installs headless Chromium for the layout tests (tests/layout/) when it is missing.
# `make test` calls this; CI runs as root on a fresh Debian machine, where it installs the
# Debian package `chromium`. Elsewhere it says what to do and exits 0: the layout tests then
# skip with that reason (they never skip where Chromium can be installed).
set -euo pipefail

find_chromium() {
    local name
    for name in "${BRANDPULSE_CHROMIUM:-}" chromium chromium-browser google-chrome; do
        if [[ -n "$name" ]] && command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}

if path=$(find_chromium); then
    echo "chromium: $path ($("$path" --version 2>/dev/null || echo 'version unknown'))"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium: not installed and no apt-get here; install Chromium and put it on PATH" \
        "(or set BRANDPULSE_CHROMIUM) to run the layout tests" >&2
    exit 0
fi
sudo=""
if [[ "$(id -u)" != "0" ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo="sudo -n"
    else
        echo "chromium: not installed, and installing it needs root (apt-get install chromium)" >&2
        exit 0
    fi
fi
echo "chromium: installing the Debian package 'chromium' (layout tests)..."
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
path=$(find_chromium)
echo "chromium: $path ($("$path" --version 2>/dev/null || echo 'version unknown'))"
