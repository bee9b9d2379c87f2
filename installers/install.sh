#!/bin/sh
# edgeup's one-line installer for Linux. Downloads the edgeup binary built for
# this device's userland architecture (amd64, arm64 or armhf), checks its
# sha256, and runs it as root with the arguments given, exiting with edgeup's
# exit code. Nothing is installed by this script itself: the binary lives in a
# private temporary directory that is removed afterwards.
#
#   curl -sSfL https://github.com/edgeup-dev/edgeup/releases/latest/download/install.sh |
#       sudo sh -s -- install --connection-string-file dev.conn
#
# Environment:
#   EDGEUP_DOWNLOAD_URL   directory holding edgeup-linux-<arch> and its .sha256
#                         (default https://github.com/edgeup-dev/edgeup/releases/latest/download)
#   EDGEUP_VERSION=vX.Y.Z that edgeup release (.../releases/download/vX.Y.Z). Only the
#                         vX.Y.Z form is the installer's; any other value (1.0.9,
#                         latest) is edgeup's own --version and is passed on to it.
#   EDGEUP_ARCH           amd64, arm64 or armhf instead of the detected architecture
#   EDGEUP_ALLOW_HTTP=1   allow a plain-http EDGEUP_DOWNLOAD_URL that is not loopback
#   EDGEUP_QUIET=1        only errors and warnings from the installer
#   TMPDIR                where the temporary directory goes (must allow execution)
#
# Exit status: edgeup's, or when the installer stops before running it:
#   1 failed (no sha256 tool, no downloader, no way to become root, ...),
#   2 bad input, 3 unsupported OS or architecture, 7 download failed,
#   8 checksum mismatch.
#
# The whole script is one function, called inside braces on the last line:
# a download cut short is then only a definition or a syntax error, and
# nothing runs.

edgeup_installer() {
    say() {
        case ${EDGEUP_QUIET:-} in
            '' | 0 | false) printf 'edgeup-install: %s\n' "$*" >&2 ;;
        esac
    }
    warn() {
        printf 'edgeup-install: warning: %s\n' "$*" >&2
    }
    die() {
        _ei_code=$1
        shift
        printf 'edgeup-install: error: %s\n' "$*" >&2
        exit "$_ei_code"
    }
    have() {
        command -v "$1" >/dev/null 2>&1
    }

    # Debian architecture of the userland that /bin/sh (or $1) belongs to,
    # from its ELF header: class (byte 4), byte order (5), e_machine (18-19)
    # and, for 32-bit ARM, the hard-float flag in e_flags (36-39).
    elf_arch() {
        _ei_hdr=$(od -A n -t x1 -v -N 40 "$1" 2>/dev/null) || return 1
        # shellcheck disable=SC2086 # one positional parameter per byte
        set -- $_ei_hdr
        [ "$#" -eq 40 ] || return 1
        [ "$1$2$3$4" = 7f454c46 ] || return 1
        if [ "$6" = 01 ]; then
            _ei_mach=${20}${19}
            _ei_flags1=${38}
        else
            _ei_mach=${19}${20}
            _ei_flags1=${39}
        fi
        case $5:$_ei_mach in
            02:003e) echo amd64 ;;
            02:00b7) echo arm64 ;;
            01:0028)
                if [ $((0x$_ei_flags1 & 4)) -ne 0 ]; then echo armhf; else echo armel; fi
                ;;
            01:0003) echo i386 ;;
            01:003e) echo x32 ;;
            *) echo "ELF class $5, machine 0x$_ei_mach" ;;
        esac
    }

    # fetch URL FILE
    fetch() {
        say "downloading $1"
        _ei_url=$1
        _ei_out=$2
        if [ "$_ei_dl" = curl ]; then
            set -- -fsSL --retry 3 --connect-timeout 30
            [ -n "$_ei_curl_connrefused" ] && set -- "$@" --retry-connrefused
            if [ -n "$_ei_https" ]; then
                set -- "$@" --proto '=https' --tlsv1.2
            fi
            curl "$@" -o "$_ei_out" "$_ei_url"
        elif [ "$_ei_dl" = wget ]; then
            set -- -q -O "$_ei_out" --tries=3 --timeout=30
            if [ -n "$_ei_https" ]; then
                [ -n "$_ei_wget_https_only" ] && set -- "$@" --https-only
                [ -n "$_ei_wget_tls12" ] && set -- "$@" --secure-protocol=TLSv1_2
            fi
            wget "$@" "$_ei_url"
        else
            # BusyBox wget: no retries or protocol options of its own (and
            # Debian's busybox-static 1.35 wget crashes with -T, so no timeout).
            for _ei_try in 1 2 3; do
                wget -q -O "$_ei_out" "$_ei_url" && return 0
                [ "$_ei_try" = 3 ] || sleep 2
            done
            return 1
        fi
    }

    # sha256 (lowercase hex) of FILE with whatever tool there is.
    sha256_of() {
        if have sha256sum; then
            _ei_sum=$(sha256sum <"$1") || return 1
        elif have shasum; then
            _ei_sum=$(shasum -a 256 <"$1") || return 1
        elif have openssl; then
            # "SHA256(stdin)= <hex>" or, OpenSSL 3, "SHA2-256(stdin)= <hex>"
            _ei_sum=$(openssl dgst -sha256 <"$1") || return 1
            _ei_sum=${_ei_sum##* }
        else
            return 2
        fi
        _ei_sum=${_ei_sum%% *}
        printf '%s\n' "$_ei_sum" | tr 'ABCDEF' 'abcdef'
    }

    is_sha256() {
        case $1 in '' | *[!0-9a-f]*) return 1 ;; esac
        [ "${#1}" -eq 64 ]
    }

    # --- the system ---------------------------------------------------------
    _ei_os=$(uname -s 2>/dev/null) || _ei_os=unknown
    case $_ei_os in
        Linux) ;;
        Darwin) die 3 "this is macOS; Azure IoT Edge and edgeup's installer support Linux (and Windows through install.ps1)" ;;
        *) die 3 "this installer is for Linux, and this system is '$_ei_os'. On Windows, use install.ps1 from PowerShell." ;;
    esac

    _ei_machine=$(uname -m 2>/dev/null) || _ei_machine=unknown
    case $_ei_machine in
        armv6* | armv5* | armv4*)
            die 3 "this is an $_ei_machine CPU (ARMv6 or older, e.g. a Raspberry Pi Zero or 1): Azure IoT Edge needs ARMv7 or newer (armhf) or a 64-bit ARM (arm64)"
            ;;
    esac

    # The userland's architecture, not the kernel's: a Raspberry Pi with a
    # 64-bit kernel and 32-bit Raspberry Pi OS needs the armhf build.
    if [ -n "${EDGEUP_ARCH:-}" ]; then
        _ei_arch=$EDGEUP_ARCH
        _ei_from=EDGEUP_ARCH
    elif have dpkg && _ei_arch=$(dpkg --print-architecture 2>/dev/null) && [ -n "$_ei_arch" ]; then
        _ei_from="dpkg --print-architecture"
    elif _ei_arch=$(elf_arch /bin/sh); then
        _ei_from="the ELF header of /bin/sh"
    else
        die 3 "cannot tell this system's architecture: no dpkg, and /bin/sh is not a readable ELF file (set EDGEUP_ARCH to amd64, arm64 or armhf)"
    fi
    case $_ei_arch in
        amd64 | arm64 | armhf) ;;
        armel | armv6* | armv5*)
            die 3 "the userland is $_ei_arch (from $_ei_from): ARMv6/soft-float; Azure IoT Edge needs ARMv7 or newer with an armhf or arm64 userland"
            ;;
        *)
            die 3 "unsupported architecture '$_ei_arch' (from $_ei_from): edgeup is built for amd64, arm64 and armhf"
            ;;
    esac
    if [ "$_ei_arch" = armhf ] && [ "$_ei_machine" = aarch64 ]; then
        say "Linux, armhf userland on a 64-bit kernel (from $_ei_from)"
    else
        say "Linux, $_ei_arch userland (from $_ei_from)"
    fi

    # --- where from -----------------------------------------------------------
    _ei_release=
    case ${EDGEUP_VERSION:-} in
        v[0-9]*)
            _ei_release=$EDGEUP_VERSION
            case $_ei_release in
                *[!A-Za-z0-9._+-]*) die 2 "EDGEUP_VERSION='$_ei_release' is not a release tag like v1.2.3" ;;
            esac
            # edgeup reads EDGEUP_VERSION as the IoT Edge version; this one was ours.
            unset EDGEUP_VERSION
            ;;
    esac
    _ei_github=https://github.com/edgeup-dev/edgeup/releases
    if [ -n "${EDGEUP_DOWNLOAD_URL:-}" ]; then
        _ei_base=${EDGEUP_DOWNLOAD_URL%/}
        [ -z "$_ei_release" ] ||
            warn "EDGEUP_DOWNLOAD_URL is set, so EDGEUP_VERSION=$_ei_release does not change where edgeup comes from"
    elif [ -n "$_ei_release" ]; then
        _ei_base=$_ei_github/download/$_ei_release
    else
        _ei_base=$_ei_github/latest/download
    fi

    _ei_https=
    case $_ei_base in
        https://?*) _ei_https=1 ;;
        http://?*)
            _ei_host=${_ei_base#http://}
            _ei_host=${_ei_host%%/*}
            _ei_host=${_ei_host##*@}
            case $_ei_host in
                \[*) _ei_host=${_ei_host%%]*}; _ei_host=${_ei_host#\[} ;;
                *) _ei_host=${_ei_host%:*} ;;
            esac
            case $_ei_host in
                localhost | ::1) _ei_loopback=1 ;;
                127.*) case $_ei_host in *[!0-9.]*) _ei_loopback= ;; *) _ei_loopback=1 ;; esac ;;
                *) _ei_loopback= ;;
            esac
            if [ -z "$_ei_loopback" ]; then
                [ "${EDGEUP_ALLOW_HTTP:-}" = 1 ] ||
                    die 2 "EDGEUP_DOWNLOAD_URL=$_ei_base is plain http: use https (http is allowed only for a loopback address, or with EDGEUP_ALLOW_HTTP=1)"
                warn "downloading over plain http from $_ei_host (EDGEUP_ALLOW_HTTP=1)"
            fi
            ;;
        *) die 2 "EDGEUP_DOWNLOAD_URL='$_ei_base' is not an https:// URL" ;;
    esac

    # --- tools ------------------------------------------------------------------
    _ei_dl=
    _ei_curl=$(command -v curl 2>/dev/null) || _ei_curl=
    case $_ei_curl in
        # snap's curl cannot write to private temporary directories.
        /snap/*) have wget && _ei_curl= ;;
    esac
    if [ -n "$_ei_curl" ]; then
        _ei_dl=curl
        _ei_curl_connrefused=
        curl --retry-connrefused --version >/dev/null 2>&1 && _ei_curl_connrefused=1
    elif have wget; then
        case $(wget --version 2>/dev/null) in
            *"GNU Wget"*)
                _ei_dl=wget
                _ei_wget_help=$(wget --help 2>&1)
                _ei_wget_https_only=
                _ei_wget_tls12=
                case $_ei_wget_help in *--https-only*) _ei_wget_https_only=1 ;; esac
                case $_ei_wget_help in *TLSv1_2*) _ei_wget_tls12=1 ;; esac
                ;;
            *)
                _ei_dl=busybox-wget
                [ -z "$_ei_https" ] ||
                    warn "only a BusyBox-style wget was found, which may not check TLS certificates; install curl for a verified connection"
                ;;
        esac
    else
        die 1 "neither curl nor wget is installed: install one of them (apt-get install curl)"
    fi
    have sha256sum || have shasum || have openssl ||
        die 1 "no tool to check the download's sha256 (sha256sum, shasum or openssl): install coreutils or openssl; an unverified binary is never run"
    have mktemp || die 1 "mktemp is not installed"

    # How edgeup will run as root, decided before anything is downloaded.
    if [ "$(id -u)" = 0 ]; then
        _ei_root=self
    else
        # Settings given in the environment must reach edgeup through sudo.
        _ei_keepenv=
        case $(export -p) in
            *EDGEUP_* | *_proxy=* | *_PROXY=*) _ei_keepenv=1 ;;
        esac
        if have sudo; then
            _ei_root=sudo
            [ -z "$_ei_keepenv" ] || _ei_root=sudo-E
            say "edgeup will run as root through sudo"
        elif have doas; then
            _ei_root=doas
            say "edgeup will run as root through doas"
            [ -z "$_ei_keepenv" ] ||
                warn "doas does not pass EDGEUP_* or proxy variables on: give them as edgeup flags instead"
        else
            die 1 "edgeup must run as root, and neither sudo nor doas is installed: run this as root (curl ... | su -c 'sh -s -- ARGS')"
        fi
    fi

    # --- a private directory that allows execution -------------------------
    _ei_tmp=$(mktemp -d "${TMPDIR:-/tmp}/edgeup-install.XXXXXXXX" 2>/dev/null) ||
        die 1 "cannot create a temporary directory in ${TMPDIR:-/tmp}: set TMPDIR to a writable directory"
    trap 'rm -rf "$_ei_tmp"' EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
    { printf '#!/bin/sh\nexit 0\n' >"$_ei_tmp/probe" && chmod 0755 "$_ei_tmp/probe"; } ||
        die 1 "cannot write to $_ei_tmp"
    "$_ei_tmp/probe" 2>/dev/null ||
        die 1 "cannot run programs from ${TMPDIR:-/tmp} (mounted noexec?): set TMPDIR to a directory that allows execution, e.g. TMPDIR=/var/tmp"

    # --- download and verify -----------------------------------------------
    _ei_asset=edgeup-linux-$_ei_arch
    fetch "$_ei_base/$_ei_asset.sha256" "$_ei_tmp/edgeup.sha256" ||
        die 7 "could not download $_ei_base/$_ei_asset.sha256 (check the network, a proxy in https_proxy, EDGEUP_VERSION and EDGEUP_DOWNLOAD_URL)"
    fetch "$_ei_base/$_ei_asset" "$_ei_tmp/edgeup" ||
        die 7 "could not download $_ei_base/$_ei_asset (check the network, a proxy in https_proxy, EDGEUP_VERSION and EDGEUP_DOWNLOAD_URL)"

    _ei_expected=
    _ei_named=
    read -r _ei_expected _ei_named <"$_ei_tmp/edgeup.sha256" || :
    _ei_expected=$(printf '%s\n' "$_ei_expected" | tr 'ABCDEF' 'abcdef')
    is_sha256 "$_ei_expected" ||
        die 8 "$_ei_asset.sha256 is not a sha256 checksum file; not running the download"
    _ei_named=${_ei_named#\*}
    [ -z "$_ei_named" ] || [ "$_ei_named" = "$_ei_asset" ] ||
        die 8 "$_ei_asset.sha256 is the checksum of '$_ei_named', not of $_ei_asset; not running the download"
    { _ei_actual=$(sha256_of "$_ei_tmp/edgeup") && is_sha256 "$_ei_actual"; } ||
        die 1 "could not compute the sha256 of the download"
    [ "$_ei_actual" = "$_ei_expected" ] ||
        die 8 "checksum mismatch for $_ei_asset: expected $_ei_expected, got $_ei_actual; not running it"
    say "sha256 ok ($_ei_actual)"
    chmod 0755 "$_ei_tmp/edgeup" || die 1 "cannot make $_ei_tmp/edgeup executable"

    # --- run it as root -----------------------------------------------------------
    _ei_rc=0
    case $_ei_root in
        self) "$_ei_tmp/edgeup" "$@" || _ei_rc=$? ;;
        sudo) sudo "$_ei_tmp/edgeup" "$@" || _ei_rc=$? ;;
        sudo-E) sudo -E "$_ei_tmp/edgeup" "$@" || _ei_rc=$? ;;
        doas) doas "$_ei_tmp/edgeup" "$@" || _ei_rc=$? ;;
    esac
    exit "$_ei_rc"
}

{ edgeup_installer "$@"; }
