# shellcheck shell=bash
# Shared helpers for the sandbox scripts (sourced, not run): repository and
# cache paths, logging, and qemu binfmt registration that lasts only as long
# as the runs that need it (reference-counted with flock across processes).

SANDBOX_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SANDBOX_CACHE=${SANDBOX_CACHE:-$SANDBOX_REPO/.sandbox-cache}
# shellcheck disable=SC2034 # used by the scripts that source this file
SANDBOX_SUITE_DEFAULT=bookworm
BINFMT_DIR=/proc/sys/fs/binfmt_misc

die() {
    printf '%s: error: %s\n' "${0##*/}" "$*" >&2
    exit 1
}

note() {
    printf '%s: %s\n' "${0##*/}" "$*" >&2
}

need_root() {
    ((EUID == 0)) || die "must run as root"
}

# variant_name SUITE ARCH [PKG,PKG...] [rpm]: the cache name of a base root
# (bookworm-amd64; bookworm-amd64-rpm for the el7-like variant;
# bookworm-amd64+python3 with extra packages).
variant_name() {
    local name=$1-$2
    [[ -z ${4:-} ]] || name+=-rpm
    [[ -z ${3:-} ]] || name+=+${3//,/+}
    echo "$name"
}

host_arch() {
    dpkg --print-architecture
}

# Debian architecture -> name of the qemu binfmt entry (binfmt-support).
qemu_binfmt_name() {
    case $1 in
        armhf | armel) echo qemu-arm ;;
        arm64) echo qemu-aarch64 ;;
        amd64) echo qemu-x86_64 ;;
        i386) echo qemu-i386 ;;
        *) return 1 ;;
    esac
}

# binfmt_acquire ARCH [quiet]: make binaries of ARCH executable for the rest
# of this process. Registers the qemu handler if it is missing (machine-wide
# kernel state; says so unless "quiet"), and holds a shared lock so that
# binfmt_release in the last user removes only a handler that the harness
# registered itself.
BINFMT_FD=
BINFMT_NAME=
BINFMT_QUIET=
binfmt_acquire() {
    local arch=$1 quiet=${2:-} name lock
    [[ $arch == "$(host_arch)" ]] && return 0
    [[ $(host_arch) == amd64 && $arch == i386 ]] && return 0
    name=$(qemu_binfmt_name "$arch") || die "no qemu binfmt handler known for $arch"
    [[ -e /usr/share/binfmts/$name ]] || die "qemu-user-static is not installed (run scripts/sandbox/deps.sh)"
    mkdir -p "$SANDBOX_CACHE"
    lock=$SANDBOX_CACHE/binfmt-$name.lock
    exec {BINFMT_FD}>"$lock"
    flock -x "$BINFMT_FD"
    if [[ ! -e $BINFMT_DIR/status ]]; then
        mount -t binfmt_misc binfmt_misc "$BINFMT_DIR"
        : >"$SANDBOX_CACHE/binfmt-mounted.ours"
    fi
    if [[ ! -e $BINFMT_DIR/$name ]]; then
        update-binfmts --enable "$name" >/dev/null
        [[ -e $BINFMT_DIR/$name ]] || die "could not register binfmt handler $name"
        : >"$lock.ours"
        [[ -n $quiet ]] || note "registered the $name binfmt handler for this run (removed again when the last sandbox run that needs it ends)"
    fi
    flock -s "$BINFMT_FD"
    BINFMT_NAME=$name
    BINFMT_QUIET=$quiet
}

# binfmt_release: drop this process's use; the last user unregisters a handler
# that binfmt_acquire registered (never one that was there before).
binfmt_release() {
    [[ -n $BINFMT_NAME ]] || return 0
    local lock=$SANDBOX_CACHE/binfmt-$BINFMT_NAME.lock fd left
    exec {BINFMT_FD}>&-
    exec {fd}>"$lock"
    if flock -xn "$fd"; then
        if [[ -e $lock.ours ]]; then
            update-binfmts --disable "$BINFMT_NAME" >/dev/null 2>&1 ||
                { [[ -e $BINFMT_DIR/$BINFMT_NAME ]] && echo -1 >"$BINFMT_DIR/$BINFMT_NAME"; } || true
            rm -f "$lock.ours"
            [[ -n $BINFMT_QUIET ]] || note "removed the $BINFMT_NAME binfmt handler again"
        fi
        if [[ -e $SANDBOX_CACHE/binfmt-mounted.ours ]]; then
            left=$(find "$BINFMT_DIR" -maxdepth 1 -name 'qemu-*' | wc -l)
            if ((left == 0)); then
                umount "$BINFMT_DIR" 2>/dev/null && rm -f "$SANDBOX_CACHE/binfmt-mounted.ours"
            fi
        fi
    fi
    exec {fd}>&-
    BINFMT_NAME=
}
