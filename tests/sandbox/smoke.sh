#!/usr/bin/env bash
# End-to-end smoke test of the sandbox harness with plain apt (no edgeup):
# deps, base root, stand-in package host, HTTP server on a free loopback port,
# a fresh overlay root that claims to be Ubuntu 18.04, then inside it:
# apt-get update, `iotedge` alone fails with "No container runtime detected",
# moby-engine=3.0.6, then iotedge=1.0.8-2 + libiothsm-std=1.0.8-2, checks that
# config.yaml is 0400 iotedge:iotedge, shows `iotedge check --output json` and
# `apt-cache madison iotedge`. Prints the time of every phase; cleans up the
# root and the server even on failure. Needs root. Exit 0 = all passed.
#
# Usage: tests/sandbox/smoke.sh [--keep]   (--keep leaves root and repo for inspection)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/../.." && pwd)
sb=$repo_root/scripts/sandbox
keep=false
[[ ${1:-} == --keep ]] && keep=true

name=smoke-$$
work=$(mktemp -d /tmp/edgeup-smoke.XXXXXX)
srv_pid=
root_made=false
timings=()
failed=0

cleanup() {
    local rc=$?
    if [[ -n $srv_pid ]]; then
        kill "$srv_pid" 2>/dev/null || true
        wait "$srv_pid" 2>/dev/null || true
    fi
    if [[ $keep == true ]]; then
        echo "kept: root $("$sb/root.sh" path "$name" 2>/dev/null || echo "$name"), repo $work/repo"
    else
        [[ $root_made == true ]] && "$sb/root.sh" rm "$name"
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT

t0=$EPOCHREALTIME
phase_start=$t0
ms_since() { # ms_since EPOCHREALTIME
    local a=${1/./} b=${EPOCHREALTIME/./}
    echo $(((b - a) / 1000))
}
phase() { # phase NAME: ends the running phase, records its time
    local ms
    ms=$(ms_since "$phase_start")
    timings+=("$(printf '%-56s %6d ms' "$1" "$ms")")
    printf '   [%s: %d ms]\n' "$1" "$ms"
    phase_start=$EPOCHREALTIME
}
say() { printf '\n== %s\n' "$*"; }
fail() {
    printf 'FAIL: %s\n' "$*" >&2
    failed=1
}
inside() { # inside CMD...: run in the test root, noninteractive apt
    "$sb/root.sh" run "$name" --env DEBIAN_FRONTEND=noninteractive -- "$@"
}

say "deps"
"$sb/deps.sh"
phase "deps.sh"

say "base root"
"$sb/base-root.sh"
phase "base-root.sh (cached after the first run)"

say "stand-in package host"
"$sb/make-repo.sh" "$work/repo"
phase "make-repo.sh"

say "serve it on 127.0.0.1"
"$sb/serve.sh" "$work/repo" "$work/port" 2>"$work/serve.log" &
srv_pid=$!
for _ in $(seq 100); do
    [[ -s $work/port ]] && break
    sleep 0.02
done
[[ -s $work/port ]] || { cat "$work/serve.log" >&2; fail "server did not start"; exit 1; }
port=$(cat "$work/port")
echo "serving $work/repo at http://127.0.0.1:$port/"
phase "serve.sh (until the port is known)"

say "fresh root, claiming Ubuntu 18.04"
root=$("$sb/root.sh" new "$name")
root_made=true
"$sb/root.sh" write-os-release "$name" ubuntu-18.04
# shellcheck disable=SC2016 # expanded inside the root
inside sh -c '. /etc/os-release; echo "$PRETTY_NAME (hostname $(hostname), arch $(dpkg --print-architecture))"'
phase "root.sh new + write-os-release"

say "apt source and key, apt-get update"
"$sb/root.sh" put "$name" "$work/repo/keys/microsoft.asc" /usr/share/keyrings/microsoft-prod.asc
echo "deb [arch=amd64 signed-by=/usr/share/keyrings/microsoft-prod.asc] http://127.0.0.1:$port/ubuntu/18.04/multiarch/prod bionic main" \
    >"$root/etc/apt/sources.list.d/microsoft-prod.list"
cat "$root/etc/apt/sources.list.d/microsoft-prod.list"
inside apt-get update
phase "apt-get update"

say "iotedge alone must fail: no container runtime"
if inside apt-get install -y iotedge >"$work/alone.log" 2>&1; then
    cat "$work/alone.log"
    fail "installing iotedge without moby-engine succeeded"
else
    grep -E 'No container runtime detected|pre-installation script|Errors were encountered|E: ' "$work/alone.log" || true
    grep -q 'ERROR: No container runtime detected.' "$work/alone.log" ||
        fail "expected 'No container runtime detected' in the apt output"
fi
echo "left behind by the failed transaction:"
# shellcheck disable=SC2016 # dpkg-query format
inside dpkg-query -W -f '  ${Package} ${Version} ${db:Status-Abbrev}\n' iotedge libiothsm-std 2>/dev/null || true
phase "apt-get install iotedge (expected failure)"

say "moby-engine=3.0.6"
inside apt-get install -y moby-engine=3.0.6
inside getent group docker || fail "moby-engine did not create the docker group"
phase "apt-get install moby-engine=3.0.6"

say "iotedge=1.0.8-2 libiothsm-std=1.0.8-2"
# The failed attempt above left libiothsm-std (newest version) installed, so
# pinning 1.0.8-2 is a downgrade: apt -y refuses that without --allow-downgrades.
inside apt-get install -y --allow-downgrades \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    iotedge=1.0.8-2 libiothsm-std=1.0.8-2
phase "apt-get install iotedge=1.0.8-2 libiothsm-std=1.0.8-2"

say "installed state"
# shellcheck disable=SC2016 # dpkg-query format
inside dpkg-query -W -f '  ${Package} ${Version} ${db:Status-Abbrev}\n' moby-engine iotedge libiothsm-std
perm=$(inside stat -c '%a %U:%G' /etc/iotedge/config.yaml)
echo "/etc/iotedge/config.yaml: $perm"
[[ $perm == "400 iotedge:iotedge" ]] || fail "config.yaml is '$perm', expected '400 iotedge:iotedge'"
inside getent passwd iotedge
inside id iotedge
inside id -nG iotedge | grep -qw docker || fail "iotedge is not in the docker group"
grep -n '^hostname:' "$root/etc/iotedge/config.yaml"
grep -q '^hostname: "sandbox"$' "$root/etc/iotedge/config.yaml" || fail "hostname placeholder not replaced"
inside iotedge version
[[ $(inside iotedge version) == "iotedge 1.0.8" ]] || fail "iotedge version"
inside iotedge list
phase "checks of the installed state"

say "iotedge check --output json"
rc=0
inside iotedge check --output json >"$work/check.json" || rc=$?
cat "$work/check.json"
echo "(exit code $rc; 1 expected: unconfigured and offline)"
[[ $rc == 1 ]] || fail "iotedge check exit code $rc, expected 1"
python3 - "$work/check.json" <<'EOF' || fail "check JSON"
import json, sys
d = json.load(open(sys.argv[1]))
r = {k: v["result"]["result"] for k, v in d["checks"].items()}
print("parsed:", ", ".join(f"{k}={v}" for k, v in sorted(r.items())))
assert d["additional_info"]["iotedged_version"] == "1.0.8", d["additional_info"]
assert d["additional_info"]["os"]["id"] == "ubuntu" and d["additional_info"]["os"]["version_id"] == "18.04"
assert r["config-yaml-well-formed"] == "ok" and r["container-engine-uri"] == "ok" and r["hostname"] == "ok"
assert r["connection-string"] == "error" and r["host-connect-iothub-amqp"] == "error"
EOF
phase "iotedge check --output json"

say "apt-cache madison iotedge"
inside apt-cache madison iotedge | tee "$work/madison.txt"
n=$(wc -l <"$work/madison.txt")
[[ $n == 6 ]] || fail "madison lists $n versions, expected 6"
phase "apt-cache madison iotedge"

say "cleanup"
kill "$srv_pid"
wait "$srv_pid" 2>/dev/null || true
srv_pid=
if [[ $keep == false ]]; then
    "$sb/root.sh" rm "$name"
    root_made=false
    ! mountpoint -q "$root" || fail "root still mounted"
fi
phase "cleanup (server, root)"

say "timings"
printf '  %s\n' "${timings[@]}"
printf '  %-56s %6d ms\n' total "$(ms_since "$t0")"
if ((failed)); then
    echo "smoke.sh: FAILED"
    exit 1
fi
echo "smoke.sh: all passed"
