#!/usr/bin/env bash
# Per-test throwaway roots: an overlayfs over the pristine base root (lower =
# .sandbox-cache/<suite>-<arch>/, extracted once from the base-root.sh tarball;
# upper/work = .sandbox-cache/roots/NAME/). The overlay is mounted in the host
# mount namespace so tests can inspect files after a run; commands run inside
# fresh mount/pid/uts namespaces + chroot, sharing the host network (servers
# on the host's 127.0.0.1 are reachable), with a minimal /dev, private devpts,
# tmpfs /dev/shm, /proc, and a clean environment (env -i: PATH, HOME=/root,
# LANG=C.UTF-8, no proxy variables). Mounts made for a run vanish with it.
# Roots of a foreign arch (armhf, arm64) run under qemu-user-static: the
# binfmt handler is registered only while such runs are active.
# `new --rpm` lays the root over the el7-like base (base-root.sh --rpm: rpm
# and dnf, no dpkg/apt) for the RPM family.
#
# Usage:
#   root.sh new NAME [--arch amd64|armhf|arm64] [--suite bookworm|bullseye|trixie] [--rpm]
#                    [--include PKG[,PKG...]]   (over the base-root.sh variant with those packages)
#   root.sh run NAME [--env K=V]... -- CMD [ARG...]   (exit status is CMD's)
#   root.sh put NAME SRC DEST              copy a host file into the root (mode kept)
#   root.sh write-os-release NAME ubuntu-18.04|ubuntu-16.04|raspbian-9|raspbian-10|debian-8|debian-9|debian-10
#                                 |centos-7|rhel-7|yocto|wrlinux-8|mel-flex
#   root.sh path NAME                      print the root directory (the overlay mount)
#   root.sh list                           list existing roots
#   root.sh rm NAME...                     unmount and delete (missing names are fine)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOTS=$SANDBOX_CACHE/roots
PATH_INSIDE=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
    exit 2
}

check_name() {
    [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "bad root name '$1' (letters, digits, . _ -)"
}

root_dir() {
    echo "$ROOTS/$1/root"
}

require_root_mounted() {
    mountpoint -q "$(root_dir "$1")" || die "root '$1' does not exist or is not mounted (root.sh new $1)"
}

# Extract the pristine tarball once into .sandbox-cache/<suite>-<arch>[-rpm][+<pkg>...]/.
ensure_lower() {
    local suite=$1 arch=$2 include=${3:-} rpm=${4:-} lower tarball ok lockfd
    lower=$SANDBOX_CACHE/$(variant_name "$suite" "$arch" "$include" "$rpm")
    ok=$lower.extracted
    local opts=(--arch "$arch" --suite "$suite")
    [[ -n $include ]] && opts+=(--include "$include")
    [[ -n $rpm ]] && opts+=(--rpm)
    tarball=$("$SANDBOX_REPO/scripts/sandbox/base-root.sh" "${opts[@]}")
    if [[ -e $ok && ! $tarball -nt $ok ]]; then
        echo "$lower"
        return
    fi
    exec {lockfd}>"$lower.lock"
    flock -x "$lockfd"
    if [[ ! -e $ok || $tarball -nt $ok ]]; then
        if [[ -e $ok ]] && grep -q "lowerdir=${lower}[,:]" /proc/self/mountinfo; then
            note "warning: $tarball is newer than $lower, but roots still use it; keeping the old one"
        else
            rm -rf "$lower" "$ok"
            mkdir -p "$lower"
            tar -C "$lower" -xf "$tarball" --numeric-owner
            touch "$ok"
        fi
    fi
    exec {lockfd}>&-
    echo "$lower"
}

cmd_new() {
    local name=${1:-} arch suite include='' rpm='' lower dir
    [[ -n $name ]] || usage
    shift
    check_name "$name"
    arch=$(host_arch)
    suite=$SANDBOX_SUITE_DEFAULT
    while (($#)); do
        case $1 in
            --arch) arch=${2:?--arch needs a value}; shift 2 ;;
            --suite) suite=${2:?--suite needs a value}; shift 2 ;;
            --rpm) rpm=rpm; shift ;;
            --include) include=${2:?--include needs a value}; shift 2 ;;
            *) die "unknown argument: $1" ;;
        esac
    done
    need_root
    dir=$ROOTS/$name
    [[ -e $dir ]] && die "root '$name' already exists (root.sh rm $name)"
    lower=$(ensure_lower "$suite" "$arch" "$include" "$rpm")
    mkdir -p "$dir/upper" "$dir/work" "$dir/root"
    trap 'rm -rf "$dir"' ERR
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/work" "$dir/root"
    trap - ERR
    printf 'arch=%s\nsuite=%s\nvariant=%s\ninclude=%s\n' "$arch" "$suite" "$rpm" "$include" >"$dir/meta"
    echo "$dir/root"
}

# Runs inside the new namespaces (private mount propagation, own pid/uts):
# builds /dev, sets the hostname from the root's /etc/hostname, chroots.
inner() {
    local root=$1 n d
    shift
    n=$1
    shift
    local envs=("${@:1:n}")
    shift "$n"
    mount -t tmpfs -o mode=0755,size=1m,nosuid,noexec tmpfs "$root/dev"
    for d in null zero full random urandom tty; do
        : >"$root/dev/$d"
        mount --bind "/dev/$d" "$root/dev/$d"
    done
    mkdir "$root/dev/pts" "$root/dev/shm"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
    ln -s pts/ptmx "$root/dev/ptmx"
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
    ln -s /proc/self/fd "$root/dev/fd"
    ln -s /proc/self/fd/0 "$root/dev/stdin"
    ln -s /proc/self/fd/1 "$root/dev/stdout"
    ln -s /proc/self/fd/2 "$root/dev/stderr"
    if [[ -s $root/etc/hostname ]]; then
        hostname "$(head -n1 "$root/etc/hostname")"
    else
        hostname sandbox
    fi
    exec chroot "$root" /usr/bin/env -i PATH="$PATH_INSIDE" HOME=/root LANG=C.UTF-8 "${envs[@]}" "$@"
}

cmd_run() {
    local name=${1:-} root arch rc
    [[ -n $name ]] || usage
    shift
    local envs=()
    while (($#)); do
        case $1 in
            --env) [[ ${2:-} == *=* ]] || die "--env needs K=V"; envs+=("$2"); shift 2 ;;
            --) shift; break ;;
            *) die "unknown argument: $1 (missing -- before the command?)" ;;
        esac
    done
    (($#)) || die "no command given (root.sh run $name -- CMD...)"
    need_root
    check_name "$name"
    require_root_mounted "$name"
    root=$(root_dir "$name")
    arch=$(sed -n 's/^arch=//p' "$ROOTS/$name/meta")
    trap binfmt_release EXIT
    # Foreign arch: the qemu binfmt handler is registered for the duration of
    # the run (quietly; SANDBOX_VERBOSE=1 reports it) and removed afterwards.
    if [[ -n ${SANDBOX_VERBOSE:-} ]]; then binfmt_acquire "$arch"; else binfmt_acquire "$arch" quiet; fi
    rc=0
    unshare --mount --propagation private --pid --uts --fork --mount-proc="$root/proc" \
        bash -c "$(declare -f inner); PATH_INSIDE='$PATH_INSIDE'; inner \"\$@\"" inner \
        "$root" "${#envs[@]}" "${envs[@]}" "$@" || rc=$?
    return "$rc"
}

cmd_put() {
    (($# == 3)) || usage
    local name=$1 src=$2 dest=$3 root
    check_name "$name"
    require_root_mounted "$name"
    [[ -f $src ]] || die "no such file: $src"
    [[ $dest == /* ]] || die "DEST must be an absolute path inside the root"
    root=$(root_dir "$name")
    install -D -m "$(stat -c %a "$src")" "$src" "$root$dest"
}

os_release() {
    case $1 in
        ubuntu-18.04)
            cat <<'EOF'
NAME="Ubuntu"
VERSION="18.04.5 LTS (Bionic Beaver)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 18.04.5 LTS"
VERSION_ID="18.04"
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
VERSION_CODENAME=bionic
UBUNTU_CODENAME=bionic
EOF
            ;;
        ubuntu-16.04)
            cat <<'EOF'
NAME="Ubuntu"
VERSION="16.04.7 LTS (Xenial Xerus)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 16.04.7 LTS"
VERSION_ID="16.04"
HOME_URL="http://www.ubuntu.com/"
SUPPORT_URL="http://help.ubuntu.com/"
BUG_REPORT_URL="http://bugs.launchpad.net/ubuntu/"
VERSION_CODENAME=xenial
UBUNTU_CODENAME=xenial
EOF
            ;;
        debian-8)
            # Debian 8 had no VERSION_CODENAME yet.
            cat <<'EOF'
PRETTY_NAME="Debian GNU/Linux 8 (jessie)"
NAME="Debian GNU/Linux"
VERSION_ID="8"
VERSION="8 (jessie)"
ID=debian
HOME_URL="http://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
EOF
            ;;
        raspbian-9)
            cat <<'EOF'
PRETTY_NAME="Raspbian GNU/Linux 9 (stretch)"
NAME="Raspbian GNU/Linux"
VERSION_ID="9"
VERSION="9 (stretch)"
VERSION_CODENAME=stretch
ID=raspbian
ID_LIKE=debian
HOME_URL="http://www.raspbian.org/"
SUPPORT_URL="http://www.raspbian.org/RaspbianForums"
BUG_REPORT_URL="http://www.raspbian.org/RaspbianBugs"
EOF
            ;;
        raspbian-10)
            cat <<'EOF'
PRETTY_NAME="Raspbian GNU/Linux 10 (buster)"
NAME="Raspbian GNU/Linux"
VERSION_ID="10"
VERSION="10 (buster)"
VERSION_CODENAME=buster
ID=raspbian
ID_LIKE=debian
HOME_URL="http://www.raspbian.org/"
SUPPORT_URL="http://www.raspbian.org/RaspbianForums"
BUG_REPORT_URL="http://www.raspbian.org/RaspbianBugs"
EOF
            ;;
        debian-9)
            cat <<'EOF'
PRETTY_NAME="Debian GNU/Linux 9 (stretch)"
NAME="Debian GNU/Linux"
VERSION_ID="9"
VERSION="9 (stretch)"
VERSION_CODENAME=stretch
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
EOF
            ;;
        debian-10)
            cat <<'EOF'
PRETTY_NAME="Debian GNU/Linux 10 (buster)"
NAME="Debian GNU/Linux"
VERSION_ID="10"
VERSION="10 (buster)"
VERSION_CODENAME=buster
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
EOF
            ;;
        # The RPM family and the image-built systems: the os-release of the
        # detection fixtures (copies of what those systems ship).
        centos-7) cat "$SANDBOX_REPO/tests/fixtures/centos-7.5/etc/os-release" ;;
        rhel-7) cat "$SANDBOX_REPO/tests/fixtures/rhel-7.5/etc/os-release" ;;
        yocto | wrlinux-8 | mel-flex) cat "$SANDBOX_REPO/tests/fixtures/$1/etc/os-release" ;;
        *) return 1 ;;
    esac
}

# /etc/debian_version as those systems ship it (Ubuntu: the Debian base it
# forked from); nothing for the others.
debian_version() {
    case $1 in
        ubuntu-18.04) echo buster/sid ;;
        ubuntu-16.04) echo stretch/sid ;;
        debian-8) echo 8.11 ;;
        raspbian-9 | debian-9) echo 9.13 ;;
        raspbian-10 | debian-10) echo 10.13 ;;
    esac
}

lsb_release() {
    case $1 in
        ubuntu-18.04) printf 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=18.04\nDISTRIB_CODENAME=bionic\nDISTRIB_DESCRIPTION="Ubuntu 18.04.5 LTS"\n' ;;
        ubuntu-16.04) printf 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=16.04\nDISTRIB_CODENAME=xenial\nDISTRIB_DESCRIPTION="Ubuntu 16.04.7 LTS"\n' ;;
    esac
}

# The release files of CentOS and RHEL besides os-release.
redhat_release() {
    case $1 in
        centos-7) cat "$SANDBOX_REPO/tests/fixtures/centos-7.5/etc/centos-release" ;;
        rhel-7) cat "$SANDBOX_REPO/tests/fixtures/rhel-7.5/etc/redhat-release" ;;
    esac
}

# Writes /usr/lib/os-release and makes /etc/os-release the usual symlink to it
# (as on the real systems; the Yocto-built ones install the file in /etc),
# plus /etc/debian_version for the Debian family, /etc/lsb-release for
# Ubuntu, and /etc/redhat-release (/etc/centos-release, /etc/system-release)
# for CentOS and RHEL.
cmd_write_os_release() {
    (($# == 2)) || usage
    local name=$1 system=$2 root content release
    check_name "$name"
    require_root_mounted "$name"
    content=$(os_release "$system") ||
        die "unknown system '$system' (ubuntu-18.04 ubuntu-16.04 raspbian-9 raspbian-10 debian-8 debian-9 debian-10 centos-7 rhel-7 yocto wrlinux-8 mel-flex)"
    root=$(root_dir "$name")
    rm -f "$root/etc/os-release" "$root/etc/debian_version" "$root/etc/lsb-release" \
        "$root/etc/redhat-release" "$root/etc/centos-release" "$root/etc/system-release"
    case $system in
        yocto | wrlinux-8 | mel-flex)
            printf '%s\n' "$content" >"$root/etc/os-release"
            return 0
            ;;
    esac
    printf '%s\n' "$content" >"$root/usr/lib/os-release"
    ln -s ../usr/lib/os-release "$root/etc/os-release"
    case $system in
        centos-7 | rhel-7)
            release=$(redhat_release "$system")
            printf '%s\n' "$release" >"$root/etc/redhat-release"
            [[ $system == centos-7 ]] && ln -s redhat-release "$root/etc/centos-release"
            ln -s redhat-release "$root/etc/system-release"
            ;;
        *) debian_version "$system" >"$root/etc/debian_version" ;;
    esac
    if [[ $system == ubuntu-* ]]; then
        lsb_release "$system" >"$root/etc/lsb-release"
    fi
}

cmd_path() {
    (($# == 1)) || usage
    check_name "$1"
    require_root_mounted "$1"
    root_dir "$1"
}

cmd_list() {
    local d
    [[ -d $ROOTS ]] || return 0
    for d in "$ROOTS"/*/; do
        [[ -d $d ]] || continue
        d=${d%/}
        printf '%s\t%s\t%s\n' "${d##*/}" "$(tr '\n' ' ' <"$d/meta" 2>/dev/null)" \
            "$(mountpoint -q "$d/root" && echo mounted || echo not-mounted)"
    done
}

cmd_rm() {
    (($#)) || usage
    need_root
    local name dir m rc=0
    for name in "$@"; do
        check_name "$name"
        dir=$ROOTS/$name
        [[ -e $dir ]] || continue
        # Everything mounted at or below the root, deepest first.
        while read -r m; do
            umount "$m" 2>/dev/null || umount -l "$m" || rc=1
        done < <(awk -v p="$dir/root" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
        if mountpoint -q "$dir/root"; then
            note "could not unmount $dir/root"
            rc=1
            continue
        fi
        rm -rf "$dir"
    done
    return "$rc"
}

(($#)) || usage
cmd=$1
shift
case $cmd in
    new) cmd_new "$@" ;;
    run) cmd_run "$@" ;;
    put) cmd_put "$@" ;;
    write-os-release) cmd_write_os_release "$@" ;;
    path) cmd_path "$@" ;;
    list) cmd_list ;;
    rm) cmd_rm "$@" ;;
    -h | --help | help) usage ;;
    *) die "unknown command: $cmd" ;;
esac
