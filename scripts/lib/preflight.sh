# shellcheck shell=bash
# Checks, before a script builds or starts anything, what would otherwise make it fail late
# (after a long build, or with every PostgreSQL-backed test failing one by one). Each failure is
# one line on stderr, why and what to do, and exits 1. Source it, then call
#   pm_preflight NAME ROOT     NAME prefixes the message (scripts/test...); ROOT is the clone
#   pm_apt_install PKG...      installs Debian packages, with sudo when not root
# after scripts/setup (which installs PostgreSQL and so creates its user).

pm_fail() {  # name, message
  echo "$1: $2" >&2
  exit 1
}

pm_preflight() {
  local name=$1 root=$2 user
  user=$(id -un)
  case "$root" in
    # The test binaries hand paths to shell commands unquoted.
    *[[:space:]]*) pm_fail "$name" "the clone's path '$root' contains white space, which the tests cannot pass to their helper scripts: clone into a path without it" ;;
  esac
  if [ ! -w "$root" ] || { [ -e "$root/build" ] && [ ! -w "$root/build" ]; }; then
    pm_fail "$name" "$user cannot write to $root/build (the build and the tests' state go there): run as the clone's owner ($(stat -c %U "$root")), or clone it again as $user"
  fi
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL and snmpsim refuse to run as root: the fixtures run them as postgres and nobody,
    # each with its state in a private folder of its own (tests/support/private_dir).
    command -v runuser >/dev/null ||
      pm_fail "$name" "runuser is missing (as root, the test fixtures run PostgreSQL and snmpsim as other users with it): apt-get install util-linux"
    "$root/tests/support/private_dir" check postgres || exit 1
    "$root/tests/support/private_dir" check nobody || exit 1
  else
    "$root/tests/support/private_dir" check "$user" || exit 1
  fi
}

pm_apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null ||
      pm_fail "install" "installing $* needs root and sudo is missing: run 'apt-get install $*' as root, then run this again"
    sudo=sudo
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    pm_fail "install" "could not install $* (see the apt-get output above): install them as root, then run this again"
}
