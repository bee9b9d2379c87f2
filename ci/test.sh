#!/usr/bin/env bash
# All of edgeup's tests: formatting, lints, unit and integration tests, and the
# demo as a smoke test. Installs what it needs, so it runs on a fresh machine
# (CI runs it as root with CI=true and no terminal).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

say "packages and toolchain"
# Debian packages the build and the tests need (mingw: ring's C code for the
# Windows build; musl-tools: the static binary the sandbox roots run).
need=()
for pkg in gcc-mingw-w64-x86-64 musl-tools; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
for target in x86_64-pc-windows-gnu x86_64-unknown-linux-musl; do
    rustup target list --installed | grep -qx "$target" || rustup target add "$target"
done
if ! cargo fmt --version >/dev/null 2>&1; then rustup component add rustfmt; fi
if ! cargo clippy --version >/dev/null 2>&1; then rustup component add clippy; fi
cargo --version

say "cargo fmt --check"
cargo fmt --check

say "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

say "Windows code compiles and lints (cfg(windows) parts)"
cargo clippy --locked --target x86_64-pc-windows-gnu -- -D warnings

say "cargo test"
cargo test --locked

say "shell scripts (shellcheck)"
scripts/sandbox/deps.sh
shellcheck ci/test.sh .ci/run scripts/*.sh scripts/sandbox/*.sh tests/sandbox/*.sh tests/fleet/*.sh

say "sandbox suite: real apt in throwaway Debian roots"
scripts/sandbox/base-root.sh >/dev/null
cargo build --locked --target x86_64-unknown-linux-musl
tests/sandbox/smoke.sh >/dev/null
EDGEUP_SANDBOX_BIN=target/x86_64-unknown-linux-musl/debug/edgeup \
    cargo test --locked --test sandbox -- --ignored --test-threads=2

say "sandbox platforms: Debian 9/10 from release assets, Raspbian Buster on a real armhf root (qemu)"
# The armhf edgeup is a glibc cross build; ring's C code needs the cross compiler.
need=()
for pkg in gcc-arm-linux-gnueabihf libc6-dev-armhf-cross; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
rustup target list --installed | grep -qx armv7-unknown-linux-gnueabihf ||
    rustup target add armv7-unknown-linux-gnueabihf
CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER=arm-linux-gnueabihf-gcc \
    CC_armv7_unknown_linux_gnueabihf=arm-linux-gnueabihf-gcc \
    cargo build --locked --target armv7-unknown-linux-gnueabihf
scripts/sandbox/base-root.sh --arch armhf >/dev/null # ~70 s once, then cached
EDGEUP_SANDBOX_BIN=target/x86_64-unknown-linux-musl/debug/edgeup \
    EDGEUP_SANDBOX_BIN_ARMHF=target/armv7-unknown-linux-gnueabihf/debug/edgeup \
    cargo test --locked --test sandbox_platforms -- --ignored --test-threads=2

say "one-line installer: installers/install.sh under dash and BusyBox, and in sandbox roots"
# Uses the static amd64 and the armhf debug builds made above.
shellcheck -s sh installers/install.sh
shellcheck tests/installer/*.sh
tests/installer/test-install-sh.sh

say "fleet recipes: cloud-init user-data and the Ansible role, in sandbox roots"
# Uses the static amd64 build made above. Installs Debian's cloud-init (for
# `cloud-init schema`) and python3-venv when missing, and ansible from PyPI
# (pinned) into .sandbox-cache/ansible-venv.
EDGEUP_TEST_BIN=target/x86_64-unknown-linux-musl/debug/edgeup tests/fleet/test-cloud-init.sh
EDGEUP_TEST_BIN=target/x86_64-unknown-linux-musl/debug/edgeup tests/fleet/test-ansible.sh

say "Windows: the cross-built edgeup.exe under wine (detect, plan, refusals)"
need=()
for pkg in wine wine64; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
cargo build --locked --target x86_64-pc-windows-gnu
shellcheck tests/windows/wine-checks.sh
tests/windows/wine-checks.sh target/x86_64-pc-windows-gnu/debug/edgeup.exe

say "demo (smoke)"
scripts/demo.sh >/dev/null

echo
echo "ci/test.sh: all checks passed"
