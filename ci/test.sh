#!/usr/bin/env bash
# All of edgeup's tests: formatting, lints, unit and integration tests, and the
# demo as a smoke test. Installs what it needs, so it runs on a fresh machine
# (CI runs it as root with CI=true and no terminal).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }
# shellcheck source=SCRIPTDIR/../scripts/debian-packages.sh
source scripts/debian-packages.sh

say "packages and toolchain"
# Debian packages the build and the tests need (mingw: ring's C code for the
# Windows build; musl-tools: the static binary the sandbox roots run).
ensure_debian_packages gcc-mingw-w64-x86-64 musl-tools
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
# The armhf edgeup is a glibc build linked by zig against glibc 2.17's symbol
# versions (cargo zigbuild, as scripts/build-release.sh does for the release
# binary); zig also compiles ring's C code.
ensure_debian_packages binutils-arm-linux-gnueabihf python3-venv
rustup target list --installed | grep -qx armv7-unknown-linux-gnueabihf ||
    rustup target add armv7-unknown-linux-gnueabihf
# shellcheck source=SCRIPTDIR/../scripts/zig-toolchain.sh
source scripts/zig-toolchain.sh
zig_toolchain
cargo zigbuild --locked --target armv7-unknown-linux-gnueabihf.2.17
armhf_floor=$(arm-linux-gnueabihf-objdump -T target/armv7-unknown-linux-gnueabihf/debug/edgeup |
    grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -uV | tail -n 1)
[[ $(printf '%s\n' "$armhf_floor" 2.17 | sort -V | tail -n 1) == 2.17 ]] ||
    { echo "the armhf edgeup needs glibc $armhf_floor, more than 2.17" >&2; exit 1; }
echo "armhf edgeup: needs glibc >= $armhf_floor"
scripts/sandbox/base-root.sh --arch armhf >/dev/null # ~70 s once, then cached
EDGEUP_SANDBOX_BIN=target/x86_64-unknown-linux-musl/debug/edgeup \
    EDGEUP_SANDBOX_BIN_ARMHF=target/armv7-unknown-linux-gnueabihf/debug/edgeup \
    cargo test --locked --test sandbox_platforms -- --ignored --test-threads=2

say "the armhf edgeup runs on an older glibc: a Debian 11 armhf root (glibc 2.31; a Debian 12 link needs 2.34)"
scripts/sandbox/base-root.sh --arch armhf --suite bullseye >/dev/null # ~80 s once, then cached
scripts/sandbox/root.sh rm ci-old-glibc
scripts/sandbox/root.sh new ci-old-glibc --arch armhf --suite bullseye >/dev/null
scripts/sandbox/root.sh put ci-old-glibc target/armv7-unknown-linux-gnueabihf/debug/edgeup /usr/local/bin/edgeup
old_glibc=$(scripts/sandbox/root.sh run ci-old-glibc -- sh -c 'ldd --version | head -n 1; edgeup --version && edgeup detect --json >/dev/null && echo detect-ok') || true
scripts/sandbox/root.sh rm ci-old-glibc
echo "$old_glibc"
[[ $old_glibc == *"GLIBC 2.31"* && $old_glibc == *detect-ok* ]] ||
    { echo "the armhf edgeup did not run on glibc 2.31" >&2; exit 1; }

say "sandbox RPM family: CentOS/RHEL 7 with real rpm and dnf, Yocto refused and forced (dpkg, rpm)"
# Host: rpmbuild, rpmsign and createrepo_c build the signed stand-in yum
# repository; the el7-like roots carry Debian's rpm and dnf (no yum in
# bookworm: the "dnf where yum is absent" case). Uses the static amd64 build above.
scripts/sandbox/deps.sh --rpm
scripts/sandbox/base-root.sh --rpm >/dev/null # ~80 s once, then cached
EDGEUP_SANDBOX_BIN=target/x86_64-unknown-linux-musl/debug/edgeup \
    cargo test --locked --test sandbox_rpm -- --ignored --test-threads=2

say "one-line installer: installers/install.sh under dash and BusyBox, and in sandbox roots"
# Uses the static amd64 and the armhf debug builds made above.
shellcheck -s sh installers/install.sh
shellcheck tests/installer/*.sh scripts/zig-toolchain.sh scripts/debian-packages.sh
tests/installer/test-install-sh.sh

say "fleet recipes: cloud-init user-data and the Ansible role, in sandbox roots"
# Uses the static amd64 build made above. Installs Debian's cloud-init (for
# `cloud-init schema`) and python3-venv when missing, and ansible from PyPI
# (pinned) into .sandbox-cache/ansible-venv.
EDGEUP_TEST_BIN=target/x86_64-unknown-linux-musl/debug/edgeup tests/fleet/test-cloud-init.sh
EDGEUP_TEST_BIN=target/x86_64-unknown-linux-musl/debug/edgeup tests/fleet/test-ansible.sh

say "Windows: the cross-built edgeup.exe under wine (detect, plan, refusals)"
ensure_debian_packages wine wine64
cargo build --locked --target x86_64-pc-windows-gnu
shellcheck tests/windows/wine-checks.sh
tests/windows/wine-checks.sh target/x86_64-pc-windows-gnu/debug/edgeup.exe

say "demo (smoke)"
scripts/demo.sh >/dev/null

echo
echo "ci/test.sh: all checks passed"
