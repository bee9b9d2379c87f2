#!/usr/bin/env bash
# The main job, shown on a few sample devices: what edgeup detects on this
# machine and what it would install on others. (The real install into a
# throwaway sandbox root replaces this once `edgeup install` exists.)
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet --locked
edgeup=target/release/edgeup

show() {
    printf '\n$ edgeup %s\n' "$*"
    # Unsupported platforms exit 3 by design; show the message and go on.
    "$edgeup" "$@" || printf '(exit code %s)\n' "$?"
}

show detect
show detect --root tests/fixtures/raspbian-buster
show plan --platform ubuntu-18.04-amd64 --version 1.0.8
show plan --platform raspbian-10-armhf
show plan --platform centos-7-amd64 --version 1.0.9.1
show plan --platform windows-10-iot-enterprise-amd64
show plan --platform yocto-armhf
