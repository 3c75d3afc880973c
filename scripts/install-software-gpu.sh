#!/usr/bin/env bash
# Installs a software GPU for WebGPU on Linux machines without one:
# Mesa's lavapipe (Vulkan) and llvmpipe (OpenGL ES via EGL) from Debian bookworm-backports.
# Debian bookworm's own Mesa (22.x) is too old for Dawn; bookworm-backports ships 25.x.
#
# Idempotent: does nothing when Mesa >= 24 (lavapipe and EGL) is already installed.
# Needs root (CI runs as root). Usage: bash scripts/install-software-gpu.sh [--force]
set -euo pipefail

force=0
[ "${1:-}" = "--force" ] && force=1

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
mesa_version() { pkg_version mesa-vulkan-drivers; }

# True when package $1 is installed at major version >= 24.
is_mesa24() {
  local v major
  v=$(pkg_version "$1")
  [ -n "$v" ] || return 1
  major=${v#*:}; major=${major%%.*}
  [ "$major" -ge 24 ] 2>/dev/null
}

# True when Mesa >= 24's Vulkan driver (lavapipe) and EGL (for the OpenGL ES backend) are installed.
have_new_mesa() {
  is_mesa24 mesa-vulkan-drivers && is_mesa24 libegl-mesa0 || return 1
  ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1
}

if [ "$force" = 0 ] && have_new_mesa && dpkg-query -W libvulkan1 >/dev/null 2>&1; then
  echo "software GPU: mesa-vulkan-drivers $(mesa_version) and libvulkan1 already installed"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "software GPU: this script must run as root (try: sudo bash $0)" >&2
  exit 1
fi

if ! grep -q '^ID=debian' /etc/os-release || ! grep -q 'VERSION_CODENAME=bookworm' /etc/os-release; then
  echo "software GPU: this script knows Debian bookworm only. On other systems install a Vulkan" >&2
  echo "driver (Mesa >= 24 lavapipe: packages 'mesa-vulkan-drivers' and 'libvulkan1') by hand." >&2
  exit 1
fi

list=/etc/apt/sources.list.d/bookworm-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" > "$list"
  echo "software GPU: added $list"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 libegl-mesa0 libgles2 >/dev/null
echo "software GPU: installed mesa-vulkan-drivers $(mesa_version)"
