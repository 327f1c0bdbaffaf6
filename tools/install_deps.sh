#!/usr/bin/env bash
# Installs what building and testing dictlog needs on Debian 12, as root.
set -euo pipefail
packages=(
  meson ninja-build pkg-config g++ clang libclang-rt-dev
  libfmt-dev nlohmann-json3-dev doctest-dev
  libspdlog-dev libcurl4-openssl-dev zlib1g-dev libyaml-cpp-dev valgrind rsyslog
  python3 python3-jsonschema python3-aiosmtpd python3-pythonjsonlogger python3-yaml openssl
  clang-format
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "dependencies: ok (${#packages[@]} Debian packages)"
