#!/usr/bin/env bash
# Installs the host tools the sandbox harness needs (mmdebstrap + arch-test,
# which mmdebstrap needs for foreign architectures; apt-ftparchive,
# gpg, dpkg-deb, python3, qemu-user-static + binfmt-support, shellcheck).
# With --rpm also what the RPM family's stand-in needs: rpm (rpmbuild,
# rpmsign) and createrepo-c (the roots get their rpm and dnf from
# base-root.sh --rpm).
# Idempotent: when everything is already installed it only runs dpkg-query.
# Runs `apt-get update` at most once, and only when something is missing.
# Installing qemu-user-static may register qemu binfmt handlers machine-wide;
# handlers that were not registered before are disabled again afterwards, so
# the harness can register them only for the runs that need them.
set -euo pipefail

packages=(mmdebstrap arch-test apt-utils gnupg dpkg-dev python3 qemu-user-static binfmt-support shellcheck)
case ${1:-} in
    --rpm) packages+=(rpm createrepo-c) ;;
    "") ;;
    *) echo "deps.sh: unknown argument: $1 (usage: deps.sh [--rpm])" >&2; exit 2 ;;
esac

# shellcheck source=../debian-packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/../debian-packages.sh"
mapfile -t missing < <(missing_debian_packages "${packages[@]}")

if ((${#missing[@]} == 0)); then
    echo "deps.sh: all ${#packages[@]} packages already installed"
    exit 0
fi

if ((EUID != 0)); then
    echo "deps.sh: must run as root to install: ${missing[*]}" >&2
    exit 1
fi

binfmt_dir=/proc/sys/fs/binfmt_misc
registered_before=" "
if [[ -e $binfmt_dir/status ]]; then
    for f in "$binfmt_dir"/qemu-*; do
        [[ -e $f ]] && registered_before+="$(basename "$f") "
    done
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Undo machine-wide binfmt registrations made by the install itself.
if [[ -e $binfmt_dir/status ]] && command -v update-binfmts >/dev/null; then
    for f in "$binfmt_dir"/qemu-*; do
        [[ -e $f ]] || continue
        name=$(basename "$f")
        if [[ $registered_before != *" $name "* ]]; then
            update-binfmts --disable "$name" >/dev/null 2>&1 || echo -1 >"$f" || true
        fi
    done
fi
echo "deps.sh: done"
