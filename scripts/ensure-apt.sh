#!/usr/bin/env bash
# Usage: ensure-apt.sh PACKAGE FILE — installs Debian's PACKAGE when FILE (a program) is missing.
set -euo pipefail
package="$1" file="$2"
if [ -x "$file" ] || command -v "$file" >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "$file missing: installing Debian's $package package" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
    exit 0
fi
echo "$file is missing. Install it with:" >&2
echo "    sudo apt-get update && sudo apt-get install -y $package" >&2
exit 1
