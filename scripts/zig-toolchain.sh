# shellcheck shell=bash
# Sourced by scripts/build-release.sh and ci/test.sh: puts zig (the `ziglang`
# wheel from PyPI, in a venv) and cargo-zigbuild (from crates, `cargo
# install --locked`) on PATH, installing them once into $EDGEUP_TOOLS_DIR
# (default .sandbox-cache/tools/, git-ignored). Call zig_toolchain after sourcing.
#
# Why: the armhf binary is a glibc build (armv7-unknown-linux-gnueabihf), and
# a glibc binary needs at least the glibc it was linked against. Linked with
# Debian 12's cross glibc (2.36) it needs 2.34, newer than every armhf system
# of the support table. `cargo zigbuild --target
# armv7-unknown-linux-gnueabihf.2.17` links against glibc 2.17's symbol
# versions instead (zig ships the stubs; 2.17 is Rust's own floor), so the
# same binary runs on Raspbian Stretch (2.24) and everything newer.
#
# Needs python3 with venv (Debian: python3-venv) and cargo.

zig_toolchain() {
    local dir=${EDGEUP_TOOLS_DIR:-$PWD/.sandbox-cache/tools}
    local ziglang_version=0.17.1 zigbuild_version=0.24.1
    mkdir -p "$dir"
    if [[ $("$dir/zig-venv/bin/python" -m ziglang version 2>/dev/null) != "$ziglang_version" ]]; then
        rm -rf "$dir/zig-venv"
        python3 -m venv "$dir/zig-venv" ||
            { echo "zig-toolchain.sh: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; return 1; }
        "$dir/zig-venv/bin/pip" install --quiet --disable-pip-version-check "ziglang==$ziglang_version" || return 1
    fi
    if [[ $("$dir/cargo/bin/cargo-zigbuild" --version 2>/dev/null) != "cargo-zigbuild $zigbuild_version" ]]; then
        cargo install --quiet --locked --root "$dir/cargo" --version "$zigbuild_version" cargo-zigbuild || return 1
    fi
    # cargo-zigbuild runs `$CARGO_ZIGBUILD_PYTHON_PATH -m ziglang`; the venv
    # stays off PATH so no other python3 changes.
    CARGO_ZIGBUILD_PYTHON_PATH=$dir/zig-venv/bin/python
    PATH=$dir/cargo/bin:$PATH
    export CARGO_ZIGBUILD_PYTHON_PATH PATH
}
