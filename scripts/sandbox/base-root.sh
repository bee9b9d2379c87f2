#!/usr/bin/env bash
# Creates (once; cached) the pristine root tarball .sandbox-cache/<suite>-<arch>.tar
# with `mmdebstrap --variant=apt` plus adduser, passwd and procps (the dummy
# maintainer scripts need addgroup/adduser/groupadd/useradd/usermod), and prints
# its path. The root has no apt sources (tests add their own), so it is hermetic.
# Packages come from the suite itself only (no -updates/-security), from the
# Debian mirror the host's apt sources use (override: --mirror URL or
# $SANDBOX_MIRROR).
# A foreign arch (armhf, arm64) needs qemu-user-static; its binfmt handler is
# registered only for this run and removed afterwards (see lib.sh).
#
# --rpm makes the "el7-like" variant .sandbox-cache/<suite>-<arch>-rpm.tar for
# the RPM family: Debian's rpm and dnf (bookworm has no yum, so this is the
# "dnf where yum is absent" case), rpm's database in /var/lib/rpm (Debian's
# rpm defaults to ~/.rpmdb) initialised, and dpkg's database and the
# apt/dpkg programs taken away, so that the root looks like an RPM system to
# edgeup's detection (which checks dpkg first) and an accidental apt call
# fails instead of passing.
#
# --include PKG[,PKG...] adds Debian packages to a variant of the root, cached
# apart as .sandbox-cache/<suite>-<arch>+<pkg>[+<pkg>...].tar (the Ansible
# test's roots need python3 for Ansible's modules).
#
# Usage: base-root.sh [--arch amd64|armhf|arm64] [--suite bookworm|bullseye|trixie]
#                     [--rpm] [--include PKG[,PKG...]] [--mirror URL] [--force]
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

arch=$(host_arch)
suite=$SANDBOX_SUITE_DEFAULT
force=false
rpm=false
include=
mirror=${SANDBOX_MIRROR:-}
while (($#)); do
    case $1 in
        --arch) arch=${2:?--arch needs a value}; shift 2 ;;
        --suite) suite=${2:?--suite needs a value}; shift 2 ;;
        --include) include=${2:?--include needs a value}; shift 2 ;;
        --mirror) mirror=${2:?--mirror needs a value}; shift 2 ;;
        --force) force=true; shift ;;
        --rpm) rpm=true; shift ;;
        -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) die "unknown argument: $1" ;;
    esac
done
case $suite in bookworm | bullseye | trixie) ;; *) die "suite $suite cannot be bootstrapped here (bookworm, bullseye, trixie)" ;; esac
case $arch in amd64 | armhf | arm64) ;; *) die "unsupported arch $arch (amd64, armhf, arm64)" ;; esac

[[ -z $include || $include =~ ^[a-z0-9][a-z0-9.+-]*(,[a-z0-9][a-z0-9.+-]*)*$ ]] ||
    die "--include takes Debian package names separated by commas: $include"

tarball=$SANDBOX_CACHE/$(variant_name "$suite" "$arch" "$include" "${rpm/#false/}").tar
if [[ -s $tarball && $force == false ]]; then
    echo "$tarball"
    exit 0
fi

need_root
command -v mmdebstrap >/dev/null || die "mmdebstrap missing (run scripts/sandbox/deps.sh)"
mkdir -p "$SANDBOX_CACHE"

# One builder per tarball; others wait and reuse its result.
exec {lockfd}>"$tarball.lock"
flock -x "$lockfd"
if [[ -s $tarball && $force == false ]]; then
    echo "$tarball"
    exit 0
fi

# The host's Debian archive mirror: the first deb822 URIs or one-line `deb`
# entry whose URI ends in /debian (not -security).
host_debian_mirror() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -e $f ]] || continue
        awk '$1 == "URIs:" { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -e $f ]] || continue
        awk '$1 == "deb" { u = ($2 ~ /^\[/) ? $3 : $2; if (u ~ /\/debian\/?$/) { print u; exit } }' "$f"
    done
}
if [[ -z $mirror ]]; then
    mirror=$(host_debian_mirror | head -n1)
    [[ -n $mirror ]] || die "no Debian mirror found in the host's apt sources; pass --mirror URL"
fi

tmp=$SANDBOX_CACHE/.tmp-$$-${tarball##*/}
cleanup() {
    rm -f "$tmp"
    binfmt_release
}
trap cleanup EXIT
binfmt_acquire "$arch"

start=$SECONDS
note "bootstrapping ${tarball##*/} from $mirror (takes ~20 s for amd64, ~1 min for armhf)"
packages=adduser,passwd,procps${include:+,$include}
# shellcheck disable=SC2016 # "$1" is expanded by mmdebstrap (the new root)
rpm_hooks=(
    --customize-hook='mkdir -p "$1"/etc/rpm && printf "%s\n" "%_dbpath /var/lib/rpm" >"$1"/etc/rpm/macros'
    --customize-hook='chroot "$1" rpm --initdb'
    --customize-hook='mv "$1"/var/lib/dpkg "$1"/var/lib/dpkg.bootstrap'
    --customize-hook='rm -f "$1"/usr/bin/apt "$1"/usr/bin/apt-* "$1"/usr/bin/dpkg "$1"/usr/bin/dpkg-*'
)
extra=()
if [[ $rpm == true ]]; then
    packages+=,rpm,dnf
    extra=("${rpm_hooks[@]}")
fi
# An explicit MIRROR keeps mmdebstrap from adding -updates and -security.
# stdin is closed so mmdebstrap never reads sources from it. The hooks' "$1"
# is expanded by mmdebstrap (it is the new root).
# shellcheck disable=SC2016
mmdebstrap --quiet --variant=apt --format=tar --architectures="$arch" \
    --include="$packages" \
    --customize-hook='rm -f "$1"/etc/apt/sources.list "$1"/etc/apt/sources.list.d/*' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    --customize-hook='echo sandbox >"$1"/etc/hostname; chmod 0644 "$1"/etc/hostname' \
    "${extra[@]}" \
    "$suite" "$tmp" "$mirror" </dev/null
mv "$tmp" "$tarball"
note "built $tarball ($(du -h "$tarball" | cut -f1)) in $((SECONDS - start)) s"
echo "$tarball"
