#!/usr/bin/env bash
# Installs the system libraries Retort needs when they are missing (Debian/Ubuntu, as
# root or with sudo). Fetches nothing else: Swift packages come from the package
# manager's mirror and the data sets ship in sample-data/.
set -euo pipefail
need=()
for pkg in libncurses-dev libopenblas-dev zlib1g-dev libstb-dev libcairo2-dev fonts-dejavu-core tmux python3-pyte; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "retort setup: missing ${need[*]} and no apt-get; install them with your package manager" >&2; exit 1
  fi
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "retort setup: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "retort setup: no 'swift' on PATH (Swift 6.x toolchain required)" >&2; exit 1; }
