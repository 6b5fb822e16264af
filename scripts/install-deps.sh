#!/usr/bin/env bash
# The single list of Debian 12 packages Kernelscope needs to build, test and run.
# Installs only what is missing; does nothing (and needs no network) when all is present.
# Uses sudo when not run as root.
set -euo pipefail

packages=(
  cmake
  ninja-build
  g++
  make
  qt6-base-dev
  qt6-base-dev-tools
  libqt6opengl6-dev
  libgl-dev
  libopencv-core-dev
  libopencv-imgproc-dev
  libopencv-imgcodecs-dev
  libqcustomplot-dev
  libqcustomplot2.1-qt6
  nlohmann-json3-dev
  libfftw3-dev
  pkg-config
  qt6-qpa-plugins
  fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
