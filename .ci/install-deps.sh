#!/usr/bin/env bash
# Installs the Debian packages Drift needs, only those that are missing.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config ccache clang-format
  libboost-dev libhdf5-dev libyaml-cpp-dev librandom123-dev libcli11-dev
  libgtest-dev libgmock-dev
  python3 python3-h5py python3-pandas python3-matplotlib python3-pytest
  libopenmpi-dev openmpi-bin
)
# `install-deps.sh fuzz` (make fuzz): also clang with libFuzzer and its OpenMP runtime.
if [ "${1:-}" = "fuzz" ]; then
  packages+=(clang libclang-rt-14-dev libomp-14-dev)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "Installing missing Debian packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
