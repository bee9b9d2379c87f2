# shellcheck shell=bash
# Shared by the fleet recipe tests (sourced): prerequisites, the stand-in
# Microsoft repository and a release layout served on 127.0.0.1, sandbox
# roots with python3 and curl, and PASS/FAIL bookkeeping. The caller sets
# `set -euo pipefail` and is in the repository root.

# shellcheck source=scripts/debian-packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/debian-packages.sh"

FLEET_INCLUDE=python3,curl # the base-root variant: Ansible needs python3, the one-liner curl
fleet_roots=()
fleet_server=
fleet_work=

# fleet_prepare NAME: root check, sandbox tools, the static edgeup, the work
# directory (fleet_work) and the EXIT trap that removes roots and server.
fleet_prepare() {
    local name=$1
    if ((EUID != 0)); then
        echo "$name: run as root (sandbox roots)" >&2
        exit 2
    fi
    # No EDGEUP_* settings or proxies from the caller.
    while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(EDGEUP_|(http|https|all|no)_proxy$|(HTTP|HTTPS|ALL|NO)_PROXY$)' || true)
    scripts/sandbox/deps.sh >/dev/null
    bin=${EDGEUP_TEST_BIN:-target/x86_64-unknown-linux-musl/debug/edgeup}
    if [[ ! -x $bin ]]; then
        rustup target list --installed | grep -qx x86_64-unknown-linux-musl || rustup target add x86_64-unknown-linux-musl
        cargo build --quiet --locked --target x86_64-unknown-linux-musl
    fi
    bin=$(realpath "$bin")
    scripts/sandbox/base-root.sh --include "$FLEET_INCLUDE" >/dev/null
    fleet_work=$(mktemp -d "/tmp/edgeup-$name.XXXXXX")
    chmod 0755 "$fleet_work"
    trap fleet_cleanup EXIT
}

fleet_cleanup() {
    [[ -z $fleet_server ]] || kill "$fleet_server" 2>/dev/null || true
    ((${#fleet_roots[@]} == 0)) || scripts/sandbox/root.sh rm "${fleet_roots[@]}" >/dev/null 2>&1 || true
    [[ -z $fleet_work ]] || rm -rf "$fleet_work"
}

# fleet_serve: the stand-in repository (www/repo) and a release layout like
# GitHub's (www/release: install.sh, edgeup-linux-amd64 and its .sha256) on
# 127.0.0.1; sets base, mirror, repo_key and release.
fleet_serve() {
    local www=$fleet_work/www
    mkdir -p "$www/release"
    scripts/sandbox/make-repo.sh "$www/repo" >/dev/null
    cp installers/install.sh "$www/release/install.sh"
    cp "$bin" "$www/release/edgeup-linux-amd64"
    (cd "$www/release" && sha256sum edgeup-linux-amd64 >edgeup-linux-amd64.sha256)
    scripts/sandbox/serve.sh "$www" "$fleet_work/port" 2>"$fleet_work/server.log" &
    fleet_server=$!
    for _ in $(seq 200); do [[ -s $fleet_work/port ]] && break; sleep 0.05; done
    [[ -s $fleet_work/port ]] || { echo "the HTTP server did not start" >&2; exit 1; }
    base=http://127.0.0.1:$(cat "$fleet_work/port")
    mirror=$base/repo
    # shellcheck disable=SC2034 # used by the scripts that source this file
    repo_key=$mirror/keys/microsoft.asc
    # shellcheck disable=SC2034
    release=$base/release
}

# fleet_root NAME OS HOSTNAME: a throwaway root (python3, curl) with OS's
# os-release and HOSTNAME in /etc/hostname (as cloud-init's set_hostname
# leaves it); sets root_dir to its directory. Removed on exit.
fleet_root() {
    local name=$1 os=$2 host=$3
    scripts/sandbox/root.sh rm "$name" >/dev/null 2>&1 || true
    fleet_roots+=("$name")
    root_dir=$(scripts/sandbox/root.sh new "$name" --include "$FLEET_INCLUDE" | tail -n 1)
    scripts/sandbox/root.sh write-os-release "$name" "$os"
    echo "$host" >"$root_dir/etc/hostname"
}

# A random base64 key of 64 bytes, like a DPS enrollment group's.
random_key() {
    head -c 64 /dev/urandom | base64 -w0
}

# --- PASS/FAIL bookkeeping -------------------------------------------------------
pass=0
fail=0
case_name=
problems=()
begin() {
    case_name=$1
    problems=()
}
# run CMD...: runs it, keeping stdout ($fleet_work/stdout), stderr ($err and
# $fleet_work/stderr) and the exit status ($rc).
run() {
    rc=0
    "$@" >"$fleet_work/stdout" 2>"$fleet_work/stderr" || rc=$?
    err=$(cat "$fleet_work/stderr")
}
expect() { # expect DESCRIPTION TEST...
    local desc=$1
    shift
    "$@" || problems+=("$desc")
}
rc_is() { [[ $rc == "$1" ]]; }
not() { ! "$@"; }
end() {
    if ((${#problems[@]} == 0)); then
        printf 'PASS %s\n' "$case_name"
        pass=$((pass + 1))
    else
        printf 'FAIL %s\n' "$case_name"
        local p
        for p in "${problems[@]}"; do printf '     expected: %s\n' "$p"; done
        printf '     exit status %s; stderr (last lines):\n' "$rc"
        printf '%s\n' "$err" | tail -n 12 | sed 's/^/       | /'
        fail=$((fail + 1))
    fi
}
summary() {
    echo
    echo "$pass passed, $fail failed"
    ((fail == 0 && pass > 0))
}
