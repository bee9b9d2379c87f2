#!/usr/bin/env bash
# All of edgeup's tests: formatting, lints, unit and integration tests, and the
# demo as a smoke test. Installs what it needs, so it runs on a fresh machine
# (CI runs it as root with CI=true and no terminal).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

say "toolchain"
if ! cargo fmt --version >/dev/null 2>&1; then rustup component add rustfmt; fi
if ! cargo clippy --version >/dev/null 2>&1; then rustup component add clippy; fi
cargo --version

say "cargo fmt --check"
cargo fmt --check

say "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

say "Windows code compiles and lints (cfg(windows) parts)"
rustup target list --installed | grep -qx x86_64-pc-windows-gnu || rustup target add x86_64-pc-windows-gnu
cargo clippy --locked --target x86_64-pc-windows-gnu -- -D warnings

say "cargo test"
cargo test --locked

say "demo (smoke)"
scripts/demo.sh >/dev/null

echo
echo "ci/test.sh: all checks passed"
