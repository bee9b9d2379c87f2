#!/usr/bin/env bash
# Tests installers/install.sh against a release layout served on 127.0.0.1:
# under dash, under BusyBox sh with a BusyBox-only PATH (BusyBox wget and
# sha256sum, architecture from the ELF header), and inside sandbox roots
# (scripts/sandbox/root.sh: an amd64 root with no curl or wget but BusyBox's
# wget, and an armhf root under qemu running the real armhf edgeup).
#
# The layouts: real/ holds the static amd64 edgeup (and the armhf one) with
# their .sha256 files; standin/ holds a shell script standing in for edgeup
# that writes a marker file with the arguments it got, with the right hash;
# badhash/ the same script with a wrong hash; wrongname/ a .sha256 naming
# another file. Every case prints PASS or FAIL; the last line is
# "N passed, M failed" and the exit status is non-zero when any failed.
#
# Needs root (sandbox roots, a noexec mount, running as nobody). Installs
# dash and busybox-static when missing; builds the debug edgeup binaries
# when missing (EDGEUP_TEST_BIN and EDGEUP_TEST_BIN_ARMHF override them).
#
# Usage: tests/installer/test-install-sh.sh [-v]   (-v: show stderr of failures in full)
# shellcheck disable=SC2016 # single-quoted snippets get their values as arguments
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
installer=$repo/installers/install.sh
verbose=
[[ ${1:-} == -v ]] && verbose=1

if ((EUID != 0)); then
    echo "test-install-sh.sh: run as root (sandbox roots, mounts, a non-root user)" >&2
    exit 2
fi

# A clean environment for the installer: no EDGEUP_* settings or proxies
# from the caller.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(EDGEUP_|(http|https|all|no)_proxy$|(HTTP|HTTPS|ALL|NO)_PROXY$)' || true)

# --- prerequisites ------------------------------------------------------------
# shellcheck source=scripts/debian-packages.sh
source scripts/debian-packages.sh
ensure_debian_packages dash busybox-static curl python3
scripts/sandbox/deps.sh >/dev/null

bin=${EDGEUP_TEST_BIN:-target/x86_64-unknown-linux-musl/debug/edgeup}
if [[ ! -x $bin ]]; then
    rustup target list --installed | grep -qx x86_64-unknown-linux-musl || rustup target add x86_64-unknown-linux-musl
    cargo build --quiet --locked --target x86_64-unknown-linux-musl
fi
bin_armhf=${EDGEUP_TEST_BIN_ARMHF:-target/armv7-unknown-linux-gnueabihf/debug/edgeup}
if [[ ! -x $bin_armhf ]]; then
    rustup target list --installed | grep -qx armv7-unknown-linux-gnueabihf || rustup target add armv7-unknown-linux-gnueabihf
    # shellcheck source=scripts/zig-toolchain.sh
    source scripts/zig-toolchain.sh
    zig_toolchain
    cargo zigbuild --quiet --locked --target armv7-unknown-linux-gnueabihf.2.17
fi
scripts/sandbox/base-root.sh >/dev/null
scripts/sandbox/base-root.sh --arch armhf >/dev/null
busybox=$(command -v busybox)
dash=$(command -v dash)

# --- work area, release layouts, server -------------------------------------------
work=$(mktemp -d /tmp/edgeup-installer-test.XXXXXX)
chmod 0755 "$work"
roots=(insttest-amd64 insttest-armhf)
server=
cleanup() {
    [[ -z $server ]] || kill "$server" 2>/dev/null || true
    scripts/sandbox/root.sh rm "${roots[@]}" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

www=$work/www
mkdir -p "$www/real" "$www/standin" "$www/badhash" "$www/wrongname"
cp "$bin" "$www/real/edgeup-linux-amd64"
cp "$bin_armhf" "$www/real/edgeup-linux-armhf"
cp "$installer" "$www/install.sh"

marker=$work/marker
cat >"$work/standin" <<EOF
#!/bin/sh
# Stands in for edgeup: records that it ran, its arguments and EDGEUP_VERSION.
{
    echo "ran as uid \$(id -u)"
    echo "EDGEUP_VERSION=\${EDGEUP_VERSION-unset}"
    for a in "\$@"; do printf '[%s]\n' "\$a"; done
} >"$marker"
exit 0
EOF
for arch in amd64 arm64 armhf; do
    cp "$work/standin" "$www/standin/edgeup-linux-$arch"
    cp "$work/standin" "$www/badhash/edgeup-linux-$arch"
    cp "$work/standin" "$www/wrongname/edgeup-linux-$arch"
done
(
    cd "$www/real"
    for f in edgeup-linux-*; do sha256sum "$f" >"$f.sha256"; done
    cd "$www/standin"
    for f in edgeup-linux-*; do sha256sum "$f" >"$f.sha256"; done
    cd "$www/badhash"
    for f in edgeup-linux-*; do
        printf '%s  %s\n' "$(printf 'not the binary' | sha256sum | cut -d' ' -f1)" "$f" >"$f.sha256"
    done
    cd "$www/wrongname"
    for f in edgeup-linux-*; do sha256sum "$f" | sed 's/edgeup-linux-[a-z0-9]*$/edgeup-windows-amd64.exe/' >"$f.sha256"; done
)

log=$work/server.log
scripts/sandbox/serve.sh "$www" "$work/port" 2>"$log" &
server=$!
for _ in $(seq 200); do [[ -s $work/port ]] && break; sleep 0.05; done
[[ -s $work/port ]] || { echo "test-install-sh.sh: the HTTP server did not start" >&2; exit 1; }
base=http://127.0.0.1:$(cat "$work/port")

# Tool directories for PATH: BusyBox-only; host tools without any sha256
# tool; with only shasum or only openssl; without sudo/doas; fakes.
mkdir -p "$work/bb"
"$busybox" --install -s "$work/bb"
toolset() { # toolset DIR TOOL...: DIR holds symlinks to the host's TOOLs
    local dir=$1 t
    shift
    mkdir -p "$dir"
    for t in "$@"; do ln -sf "$(command -v "$t")" "$dir/$t"; done
}
basic=(uname id mktemp rm chmod od tr sleep cat curl dpkg)
toolset "$work/nohash" "${basic[@]}"
toolset "$work/shasum-only" "${basic[@]}" shasum perl
toolset "$work/openssl-only" "${basic[@]}" openssl
toolset "$work/norootway" "${basic[@]}" sha256sum
mkfake() { # mkfake DIR NAME BODY
    mkdir -p "$1"
    printf '#!/bin/sh\n%s\n' "$3" >"$1/$2"
    chmod 0755 "$1/$2"
}
mkfake "$work/dpkg-s390x" dpkg 'echo s390x'
mkfake "$work/dpkg-armel" dpkg 'echo armel'
mkfake "$work/pi64" dpkg 'echo armhf'
mkfake "$work/pi64" uname 'case $1 in -m) echo aarch64 ;; *) exec /bin/uname "$@" ;; esac'
mkfake "$work/armv6" uname 'case $1 in -m) echo armv6l ;; *) exec /bin/uname "$@" ;; esac'
mkfake "$work/darwin" uname 'case $1 in -s) echo Darwin ;; -m) echo arm64 ;; *) exec /bin/uname "$@" ;; esac'
mkfake "$work/fakecurl" curl "case \" \$* \" in *' --version '*) exit 0 ;; esac
printf '%s\\n' \"\$*\" >>$work/curl-args
exit 22"
mkfake "$work/fakesudo" sudo "printf '%s\\n' \"\$*\" >$work/pub/sudo-args
[ \"\$1\" = -E ] && shift
exec \"\$@\""
mkdir -p "$work/pub"
chmod 1777 "$work/pub"

# --- assertions ------------------------------------------------------------------
pass=0
fail=0
tmpd=$work/tmp
mkdir -p "$tmpd"
chmod 1777 "$tmpd"
name=
problems=()
gets() { grep -c '"GET ' "$log" || true; }

begin() {
    name=$1
    problems=()
    rm -f "$marker" "$work/curl-args" "$work/pub/sudo-args"
    rm -rf "${tmpd:?}"/*
    gets_before=$(gets)
}
# run CMD...: runs it, keeping stdout, stderr and the exit status
run() {
    rc=0
    "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
    out=$(cat "$work/stdout")
    err=$(cat "$work/stderr")
}
# inst [VAR=VALUE...] -- SHELL ARGS...: the installer with a private TMPDIR
inst() {
    local envs=()
    while [[ $1 != -- ]]; do envs+=("$1"); shift; done
    shift
    local sh=$1
    shift
    run env TMPDIR="$tmpd" "${envs[@]}" "$sh" "$installer" "$@"
}
expect() { # expect DESCRIPTION TEST...
    local desc=$1
    shift
    "$@" || problems+=("$desc")
}
rc_is() { [[ $rc == "$1" ]]; }
out_is() { [[ $out == "$1" ]]; }
err_has() { [[ $err == *"$1"* ]]; }
ran() { [[ -e $marker ]]; }
not_ran() { [[ ! -e $marker ]]; }
marker_is() { [[ -e $marker && $(cat "$marker") == "$1" ]]; }
downloaded() { (($(gets) > gets_before)); }
fetched() { grep -q "\"GET $1 " "$log"; }
no_download() { (($(gets) == gets_before)); }
tmp_clean() { [[ -z $(ls -A "$tmpd") ]]; }
end() {
    tmp_clean || problems+=("left a temporary directory in TMPDIR: $(ls -A "$tmpd")")
    if ((${#problems[@]} == 0)); then
        printf 'PASS %s\n' "$name"
        pass=$((pass + 1))
    else
        printf 'FAIL %s\n' "$name"
        local p
        for p in "${problems[@]}"; do printf '     expected: %s\n' "$p"; done
        printf '     exit status %s; stderr:\n' "$rc"
        if [[ -n $verbose ]]; then
            printf '%s\n' "$err" | sed 's/^/       | /'
        else
            printf '%s\n' "$err" | tail -n 8 | sed 's/^/       | /'
        fi
        fail=$((fail + 1))
    fi
}

releases_json=$("$bin" releases --json)
bbenv=(PATH="$work/bb")
bbsh=$work/bb/sh # busybox, run as "sh"

# --- happy paths on the host ------------------------------------------------------
begin "dash: 'install.sh releases --json' prints edgeup's JSON, exit 0"
inst EDGEUP_DOWNLOAD_URL="$base/real" -- "$dash" releases --json
expect "exit 0" rc_is 0
expect "stdout = edgeup releases --json" out_is "$releases_json"
expect "edgeup-linux-amd64 downloaded" fetched /real/edgeup-linux-amd64
expect "'sha256 ok' on stderr" err_has "sha256 ok"
end

begin "dash: edgeup's exit code passes through ('plan --platform nope' -> 2)"
inst EDGEUP_DOWNLOAD_URL="$base/real" -- "$dash" plan --platform nope
expect "exit 2" rc_is 2
expect "edgeup's message on stderr" err_has "no such platform"
end

begin "dash: arguments reach edgeup unchanged (spaces, empty, quotes, globs)"
inst EDGEUP_DOWNLOAD_URL="$base/standin" -- "$dash" install --hostname "a b" "" 'd"e' '$HOME' '*'
expect "exit 0" rc_is 0
expect "the stand-in got exactly the arguments" marker_is 'ran as uid 0
EDGEUP_VERSION=unset
[install]
[--hostname]
[a b]
[]
[d"e]
[$HOME]
[*]'
end

begin "dash: curl -sSfL <url>/install.sh | sh -s -- releases --json"
run env TMPDIR="$tmpd" EDGEUP_DOWNLOAD_URL="$base/real" bash -c \
    'curl -sSfL "$1/install.sh" | "$2" -s -- releases --json' _ "$base" "$dash"
expect "exit 0" rc_is 0
expect "stdout = edgeup releases --json" out_is "$releases_json"
end

begin "busybox sh, BusyBox-only PATH (wget, sha256sum, arch from the ELF header): releases --json"
inst "${bbenv[@]}" EDGEUP_DOWNLOAD_URL="$base/real" -- "$bbsh" releases --json
expect "exit 0" rc_is 0
expect "stdout = edgeup releases --json" out_is "$releases_json"
expect "architecture from the ELF header of /bin/sh" err_has "amd64 userland (from the ELF header of /bin/sh)"
end

begin "busybox sh: edgeup's exit code passes through ('plan --platform nope' -> 2)"
inst "${bbenv[@]}" EDGEUP_DOWNLOAD_URL="$base/real" -- "$bbsh" plan --platform nope
expect "exit 2" rc_is 2
end

begin "busybox sh: wget -qO- <url>/install.sh | sh -s -- releases --json"
run env -i "${bbenv[@]}" TMPDIR="$tmpd" EDGEUP_DOWNLOAD_URL="$base/real" "$busybox" sh -c \
    'wget -qO- "$1/install.sh" | sh -s -- releases --json' _ "$base"
expect "exit 0" rc_is 0
expect "stdout = edgeup releases --json" out_is "$releases_json"
end

# --- integrity -------------------------------------------------------------------------
begin "control: the stand-in with its right hash runs (it creates the marker)"
inst EDGEUP_DOWNLOAD_URL="$base/standin" -- "$dash" plan
expect "exit 0" rc_is 0
expect "marker created" ran
end

begin "dash: wrong hash is refused with exit 8 and nothing is executed"
inst EDGEUP_DOWNLOAD_URL="$base/badhash" -- "$dash" plan
expect "exit 8" rc_is 8
expect "no marker" not_ran
expect "'checksum mismatch' on stderr" err_has "checksum mismatch"
end

begin "busybox sh: wrong hash is refused with exit 8 and nothing is executed"
inst "${bbenv[@]}" EDGEUP_DOWNLOAD_URL="$base/badhash" -- "$bbsh" plan
expect "exit 8" rc_is 8
expect "no marker" not_ran
end

begin "a .sha256 naming another file is refused with exit 8"
inst EDGEUP_DOWNLOAD_URL="$base/wrongname" -- "$dash" plan
expect "exit 8" rc_is 8
expect "no marker" not_ran
expect "names the file" err_has "edgeup-windows-amd64.exe"
end

begin "no sha256sum, shasum or openssl on PATH: refused (exit 1), nothing downloaded or run"
inst PATH="$work/nohash" EDGEUP_DOWNLOAD_URL="$base/standin" -- "$dash" plan
expect "exit 1" rc_is 1
expect "no marker" not_ran
expect "no download" no_download
expect "names the tools" err_has "sha256sum, shasum or openssl"
end

begin "only shasum: verified and run"
inst PATH="$work/shasum-only" EDGEUP_DOWNLOAD_URL="$base/standin" -- "$dash" plan
expect "exit 0" rc_is 0
expect "marker created" ran
end

begin "only openssl: verified and run; a wrong hash still refused"
inst PATH="$work/openssl-only" EDGEUP_DOWNLOAD_URL="$base/standin" -- "$dash" plan
expect "exit 0" rc_is 0
expect "marker created" ran
rm -f "$marker"
inst PATH="$work/openssl-only" EDGEUP_DOWNLOAD_URL="$base/badhash" -- "$dash" plan
expect "exit 8 with a wrong hash" rc_is 8
expect "no marker with a wrong hash" not_ran
end

# --- platform ---------------------------------------------------------------------------
begin "unsupported architecture (fake dpkg: s390x): refused with exit 3, nothing downloaded"
inst PATH="$work/dpkg-s390x:$PATH" EDGEUP_DOWNLOAD_URL="$base/standin" -- "$dash" plan
expect "exit 3" rc_is 3
expect "no download" no_download
expect "names s390x" err_has "unsupported architecture 's390x'"
end

begin "armel userland (fake dpkg): refused with exit 3, IoT Edge needs ARMv7+"
inst PATH="$work/dpkg-armel:$PATH" EDGEUP_DOWNLOAD_URL="$base/standin" -- "$dash" plan
expect "exit 3" rc_is 3
expect "no download" no_download
expect "says ARMv7" err_has "ARMv7"
end

begin "ARMv6 CPU (fake uname -m armv6l): refused with exit 3, nothing downloaded"
inst PATH="$work/armv6:$PATH" EDGEUP_DOWNLOAD_URL="$base/standin" -- "$dash" plan
expect "exit 3" rc_is 3
expect "no download" no_download
expect "says ARMv7" err_has "ARMv7"
end

begin "armhf userland on a 64-bit kernel (fake dpkg armhf, uname aarch64) gets edgeup-linux-armhf"
inst PATH="$work/pi64:$PATH" EDGEUP_DOWNLOAD_URL="$base/standin" -- "$dash" plan
expect "exit 0" rc_is 0
expect "edgeup-linux-armhf fetched" fetched /standin/edgeup-linux-armhf
expect "says so" err_has "armhf userland on a 64-bit kernel"
end

begin "not Linux (fake uname -s Darwin): refused with exit 3"
inst PATH="$work/darwin:$PATH" EDGEUP_DOWNLOAD_URL="$base/standin" -- "$dash" plan
expect "exit 3" rc_is 3
expect "no download" no_download
end

# --- where from -------------------------------------------------------------------------
begin "default URL is the latest GitHub release, over https only with TLS >= 1.2"
inst PATH="$work/fakecurl:$PATH" -- "$dash" plan
expect "exit 7 (download failed)" rc_is 7
expect "https://github.com/edgeup-dev/edgeup/releases/latest/download/edgeup-linux-amd64.sha256" \
    grep -q -- "--proto =https --tlsv1.2 -o $tmpd/edgeup-install.*/edgeup.sha256 https://github.com/edgeup-dev/edgeup/releases/latest/download/edgeup-linux-amd64.sha256\$" "$work/curl-args"
end

begin "EDGEUP_VERSION=v1.2.3 downloads from releases/download/v1.2.3"
inst PATH="$work/fakecurl:$PATH" EDGEUP_VERSION=v1.2.3 -- "$dash" plan
expect "exit 7" rc_is 7
expect "URL .../releases/download/v1.2.3/edgeup-linux-amd64.sha256" \
    grep -q " https://github.com/edgeup-dev/edgeup/releases/download/v1.2.3/edgeup-linux-amd64.sha256\$" "$work/curl-args"
end

begin "EDGEUP_VERSION=vX.Y.Z is the installer's, not passed on; EDGEUP_VERSION=1.0.9 is edgeup's, passed on"
inst EDGEUP_DOWNLOAD_URL="$base/standin" EDGEUP_VERSION=v1.2.3 -- "$dash" plan
expect "v1.2.3: exit 0" rc_is 0
expect "v1.2.3: edgeup does not see it" grep -qx "EDGEUP_VERSION=unset" "$marker"
rm -f "$marker"
inst EDGEUP_DOWNLOAD_URL="$base/standin" EDGEUP_VERSION=1.0.9 -- "$dash" plan
expect "1.0.9: edgeup sees it" grep -qx "EDGEUP_VERSION=1.0.9" "$marker"
end

begin "plain http to a non-loopback host is refused (exit 2) before any download"
inst PATH="$work/fakecurl:$PATH" EDGEUP_DOWNLOAD_URL=http://192.0.2.1/edgeup -- "$dash" plan
expect "exit 2" rc_is 2
expect "no download attempted" test ! -e "$work/curl-args"
expect "says why" err_has "plain http"
end

begin "a missing release (404) is exit 7 and runs nothing"
inst EDGEUP_DOWNLOAD_URL="$base/missing" -- "$dash" plan
expect "exit 7" rc_is 7
expect "no marker" not_ran
end

begin "TMPDIR on a noexec mount: refused with a clear message, nothing downloaded"
mkdir -p "$work/noexec"
run unshare --mount --propagation private bash -c \
    'mount -t tmpfs -o noexec,mode=1777 tmpfs "$1" && TMPDIR=$1 EDGEUP_DOWNLOAD_URL=$2 "$3" "$4" plan' \
    _ "$work/noexec" "$base/standin" "$dash" "$installer"
expect "exit 1" rc_is 1
expect "no download" no_download
expect "no marker" not_ran
expect "mentions noexec and TMPDIR" err_has "noexec?): set TMPDIR"
end

# --- becoming root ----------------------------------------------------------------------
asnobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env -- "$@"; }

begin "not root: edgeup runs through sudo (-E keeps EDGEUP_*), arguments and exit code intact"
run asnobody env PATH="$work/fakesudo:/usr/bin:/bin" TMPDIR="$tmpd" EDGEUP_DOWNLOAD_URL="$base/real" \
    "$dash" "$installer" releases --json
expect "exit 0" rc_is 0
expect "stdout = edgeup releases --json" out_is "$releases_json"
expect "sudo -E <tmp>/edgeup releases --json" \
    grep -qx -- "-E $tmpd/edgeup-install\.[A-Za-z0-9]*/edgeup releases --json" "$work/pub/sudo-args"
run asnobody env PATH="$work/fakesudo:/usr/bin:/bin" TMPDIR="$tmpd" EDGEUP_DOWNLOAD_URL="$base/real" \
    "$dash" "$installer" plan --platform nope
expect "exit 2 passes through sudo" rc_is 2
end

begin "not root, no sudo or doas: explained (exit 1), nothing downloaded"
run asnobody env PATH="$work/norootway" TMPDIR="$tmpd" EDGEUP_DOWNLOAD_URL="$base/standin" \
    "$dash" "$installer" plan
expect "exit 1" rc_is 1
expect "no download" no_download
expect "says so" err_has "neither sudo nor doas"
end

# --- truncated downloads ----------------------------------------------------------------
# truncated SHELL...: pipes install.sh cut short to SHELL: at every 61st byte,
# and at every byte of the last 48 but the final newline (without it the
# script is complete, and runs).
truncated() {
    local size n cuts=()
    size=$(stat -c %s "$installer")
    [[ $(tail -c 1 "$installer" | od -An -c) == *'\n'* ]] || problems+=("install.sh ends with a newline")
    for ((n = 0; n < size - 48; n += 61)); do cuts+=("$n"); done
    for ((n = size - 48; n < size - 1; n++)); do cuts+=("$n"); done
    for n in "${cuts[@]}"; do
        head -c "$n" "$installer" |
            env TMPDIR="$tmpd" EDGEUP_DOWNLOAD_URL="$base/standin" "$@" -s -- plan >/dev/null 2>&1 || true
    done
    ncuts=${#cuts[@]}
}
begin "truncated install.sh piped to dash does nothing (no download, nothing run)"
truncated "$dash"
expect "no download in $ncuts cuts" no_download
expect "no marker" not_ran
end

begin "truncated install.sh piped to busybox sh does nothing"
truncated env "${bbenv[@]}" "$bbsh"
expect "no download in $ncuts cuts" no_download
expect "no marker" not_ran
end

begin "control: the whole install.sh piped the same way does run"
head -c "$(stat -c %s "$installer")" "$installer" |
    env TMPDIR="$tmpd" EDGEUP_DOWNLOAD_URL="$base/standin" "$dash" -s -- plan >/dev/null 2>&1 || true
expect "marker created" ran
end

# --- sandbox roots ----------------------------------------------------------------------
rootsh=scripts/sandbox/root.sh
scripts/sandbox/root.sh rm "${roots[@]}" >/dev/null 2>&1 || true

begin "sandbox amd64 root (dash, no curl, BusyBox wget): releases --json and exit codes"
r=$("$rootsh" new insttest-amd64 | tail -n 1)
"$rootsh" put insttest-amd64 "$busybox" /usr/local/bin/busybox
ln -s busybox "$r/usr/local/bin/wget"
"$rootsh" put insttest-amd64 "$installer" /root/install.sh
expect "no curl in the root" test ! -e "$r/usr/bin/curl"
expect "no wget in the root besides BusyBox's" test ! -e "$r/usr/bin/wget"
run "$rootsh" run insttest-amd64 --env EDGEUP_DOWNLOAD_URL="$base/real" -- sh /root/install.sh releases --json
expect "exit 0" rc_is 0
expect "stdout = edgeup releases --json" out_is "$releases_json"
run "$rootsh" run insttest-amd64 --env EDGEUP_DOWNLOAD_URL="$base/real" -- sh /root/install.sh plan --platform nope
expect "exit 2 from 'plan --platform nope'" rc_is 2
expect "nothing left in the root's /tmp" test -z "$(ls -A "$r/tmp")"
end

begin "sandbox amd64 root: wget -qO- <url>/install.sh | sh -s -- releases --json"
run "$rootsh" run insttest-amd64 --env EDGEUP_DOWNLOAD_URL="$base/real" -- \
    sh -c 'wget -qO- "$1/install.sh" | sh -s -- releases --json' _ "$base"
expect "exit 0" rc_is 0
expect "stdout = edgeup releases --json" out_is "$releases_json"
end

begin "sandbox armhf root (qemu): dpkg says armhf, the real armhf edgeup runs"
r=$("$rootsh" new insttest-armhf --arch armhf | tail -n 1)
"$rootsh" put insttest-armhf "$busybox" /usr/local/bin/busybox
ln -s busybox "$r/usr/local/bin/wget"
"$rootsh" put insttest-armhf "$installer" /root/install.sh
run "$rootsh" run insttest-armhf --env EDGEUP_DOWNLOAD_URL="$base/real" -- sh /root/install.sh releases --json
expect "exit 0" rc_is 0
expect "stdout = edgeup releases --json" out_is "$releases_json"
expect "armhf from dpkg" err_has "armhf userland (from dpkg --print-architecture)"
expect "edgeup-linux-armhf fetched" fetched /real/edgeup-linux-armhf
end

begin "sandbox armhf root without dpkg on PATH: armhf from the ELF header of /bin/sh"
mkdir -p "$r/opt/nodpkg"
for t in uname id mktemp rm chmod od tr sleep cat sha256sum; do ln -s "/usr/bin/$t" "$r/opt/nodpkg/$t"; done
ln -s /usr/local/bin/busybox "$r/opt/nodpkg/wget"
run "$rootsh" run insttest-armhf --env PATH=/opt/nodpkg --env EDGEUP_DOWNLOAD_URL="$base/real" -- \
    /bin/sh /root/install.sh plan --platform nope
expect "exit 2 from the armhf edgeup" rc_is 2
expect "armhf from the ELF header" err_has "armhf userland (from the ELF header of /bin/sh)"
end

echo
echo "$pass passed, $fail failed"
((fail == 0))
