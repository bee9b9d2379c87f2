#!/usr/bin/env bash
# chroot(8) for Ansible's community.general.chroot connection on sandbox
# roots (inventory: ansible_chroot_exe=<this file>, ansible_host=<root dir>).
# The plugin runs `CHROOT_EXE DIR /bin/sh -c CMD`; plain chroot would run CMD
# with the controller's environment and without /proc or a private /dev.
# This runs it the way every sandbox test runs commands in a root:
# `scripts/sandbox/root.sh run NAME -- /bin/sh -c CMD` (own mount, pid and
# uts namespaces, /proc, a minimal /dev, the root's host name, a clean
# environment), with stdin passed through (the plugin's file transfers).
#
# Usage: sandbox-chroot.sh .sandbox-cache/roots/NAME/root CMD [ARG...]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${SANDBOX_CACHE:-$repo/.sandbox-cache} # as scripts/sandbox/lib.sh
die() {
    printf 'sandbox-chroot.sh: %s\n' "$*" >&2
    exit 125
}
dir=${1:?usage: sandbox-chroot.sh ROOT-DIR CMD [ARG...]}
shift
(($#)) || die "no command"
dir=$(realpath -m "$dir")
name=${dir%/root}
name=${name##*/}
[[ $dir == "$(realpath -m "$cache/roots")/$name/root" ]] ||
    die "$dir is not a sandbox root (.sandbox-cache/roots/NAME/root)"
exec "$repo/scripts/sandbox/root.sh" run "$name" -- "$@"
