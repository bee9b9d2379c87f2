#!/usr/bin/env bash
# The main job, for real and without touching this machine: edgeup turns a
# throwaway Debian root that says it is Ubuntu 18.04 into a provisioned IoT
# Edge device, installing from a signed stand-in for the Microsoft package
# repository served on 127.0.0.1, then verifies it.
#
# Needs root (for the sandbox's mounts and chroot); installs its Debian
# tools on first use and caches the base root in .sandbox-cache/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
    echo "demo.sh builds a sandbox root with mounts and chroot: run it as root (sudo scripts/demo.sh)" >&2
    exit 2
fi

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "build edgeup (static) and the sandbox (cached after the first run)"
scripts/sandbox/deps.sh
rustup target list --installed | grep -qx x86_64-unknown-linux-musl || rustup target add x86_64-unknown-linux-musl
cargo build --quiet --locked --target x86_64-unknown-linux-musl
edgeup=target/x86_64-unknown-linux-musl/debug/edgeup
scripts/sandbox/base-root.sh >/dev/null
repo=.sandbox-cache/demo-repo
[[ -d $repo/keys ]] || scripts/sandbox/make-repo.sh "$repo" >/dev/null

portfile=$(mktemp)
scripts/sandbox/serve.sh "$repo" "$portfile" >/dev/null 2>&1 &
server=$!
cleanup() {
    kill "$server" 2>/dev/null || true
    scripts/sandbox/root.sh rm demo >/dev/null 2>&1 || true
    rm -f "$portfile"
}
trap cleanup EXIT
while [[ ! -s $portfile ]]; do sleep 0.05; done
mirror="http://127.0.0.1:$(cat "$portfile")"

say "a fresh device: a Debian root with Ubuntu 18.04's os-release"
scripts/sandbox/root.sh rm demo >/dev/null 2>&1 || true
root=$(scripts/sandbox/root.sh new demo | tail -n 1)
scripts/sandbox/root.sh write-os-release demo ubuntu-18.04
scripts/sandbox/root.sh put demo "$edgeup" /usr/local/bin/edgeup
printf 'HostName=demo-hub.azure-devices.net;DeviceId=demo-device;SharedAccessKey=ZGVtby1rZXktbm90LWEtcmVhbC1zZWNyZXQ=\n' \
    > "$root/root/device.conn"
chmod 600 "$root/root/device.conn"
inside() { scripts/sandbox/root.sh run demo -- "$@"; }
inside edgeup detect

say "edgeup install --version 1.0.9 (repository: $mirror)"
inside edgeup install -y --version 1.0.9 --mirror "$mirror" \
    --repo-key "$mirror/keys/microsoft.asc" --connection-string-file /root/device.conn

say "the same command again: nothing to do"
inside edgeup install -y --version 1.0.9 --mirror "$mirror" \
    --repo-key "$mirror/keys/microsoft.asc" --connection-string-file /root/device.conn

say "edgeup verify"
inside edgeup verify
