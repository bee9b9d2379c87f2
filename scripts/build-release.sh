#!/usr/bin/env bash
# Builds the release binaries into dist/, each with a .sha256 file in
# sha256sum format ("<hex>  <file>"), using the size-tuned [profile.release]
# of Cargo.toml, and smoke-tests them:
#
#   dist/edgeup-linux-amd64        x86_64-unknown-linux-musl      static
#   dist/edgeup-linux-arm64        aarch64-unknown-linux-musl     static (run under qemu-aarch64-static)
#   dist/edgeup-linux-armhf        armv7-unknown-linux-gnueabihf  glibc >= 2.17 (cargo zigbuild; qemu-arm-static)
#   dist/edgeup-windows-amd64.exe  x86_64-pc-windows-gnu                 (format checked; wine: tests/windows/)
#   dist/install.sh                installers/install.sh, so <release>/install.sh is the one-liner's URL
#
# Installs what it needs (Debian/Ubuntu packages via apt-get, as root or with
# sudo; rustup targets; zig and cargo-zigbuild into .sandbox-cache/tools/ by
# scripts/zig-toolchain.sh), only when missing. Linkers and the C compilers that
# ring needs are set per target; CARGO_TARGET_<TRIPLE>_LINKER and
# CC_<triple> already in the environment win.
#
# Usage: scripts/build-release.sh [--compare-opt-levels] [TARGET...]
#   TARGET: linux-amd64 linux-arm64 linux-armhf windows-amd64 (default: all)
#   --compare-opt-levels: also build linux-amd64 with opt-level "s" and "z"
#                         and print both sizes (the profile's choice is kept)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*" >&2; }
die() {
    printf 'build-release.sh: error: %s\n' "$*" >&2
    exit 1
}

all_targets=(linux-amd64 linux-arm64 linux-armhf windows-amd64)
targets=()
compare=
for arg in "$@"; do
    case $arg in
        --compare-opt-levels) compare=1 ;;
        linux-amd64 | linux-arm64 | linux-armhf | windows-amd64) targets+=("$arg") ;;
        -h | --help)
            awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
            exit 0
            ;;
        *) die "unknown argument '$arg' (targets: ${all_targets[*]})" ;;
    esac
done
((${#targets[@]})) || targets=("${all_targets[@]}")

triple() {
    case $1 in
        linux-amd64) echo x86_64-unknown-linux-musl ;;
        linux-arm64) echo aarch64-unknown-linux-musl ;;
        linux-armhf) echo armv7-unknown-linux-gnueabihf ;;
        windows-amd64) echo x86_64-pc-windows-gnu ;;
    esac
}

asset() {
    case $1 in
        windows-*) echo "edgeup-$1.exe" ;;
        *) echo "edgeup-$1" ;;
    esac
}

# Debian packages per target (the cross compilers also bring the cross
# binutils: aarch64-linux-gnu-readelf, arm-linux-gnueabihf-objdump, ...).
packages() {
    case $1 in
        linux-amd64) echo musl-tools ;;
        linux-arm64) echo gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static ;;
        linux-armhf) echo binutils-arm-linux-gnueabihf libc6-armhf-cross qemu-user-static python3-venv ;;
        windows-amd64) echo gcc-mingw-w64-x86-64 ;;
    esac
}

as_root() {
    if ((EUID == 0)); then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

say "packages and rustup targets"
need=()
for t in "${targets[@]}"; do
    for pkg in $(packages "$t"); do
        [[ " ${need[*]} " == *" $pkg "* ]] && continue
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
    done
done
if ((${#need[@]})); then
    echo "installing ${need[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
for t in "${targets[@]}"; do
    tr=$(triple "$t")
    rustup target list --installed | grep -qx "$tr" || rustup target add "$tr"
done

# Linkers and ring's C compilers. x86_64 musl: cc-rs picks musl-gcc and rustc
# links with its self-contained musl, so the default linker (cc) is right.
# aarch64 musl: there is no aarch64 musl-gcc on Debian; the glibc cross gcc
# compiles ring's C (freestanding: no libc calls) and, as the linker driver,
# links rustc's self-contained musl crt and libc, so the result is static.
: "${CC_x86_64_unknown_linux_musl:=musl-gcc}"
: "${CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER:=aarch64-linux-gnu-gcc}"
: "${CC_aarch64_unknown_linux_musl:=aarch64-linux-gnu-gcc}"
: "${CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER:=x86_64-w64-mingw32-gcc}"
: "${CC_x86_64_pc_windows_gnu:=x86_64-w64-mingw32-gcc}"
export CC_x86_64_unknown_linux_musl CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER \
    CC_aarch64_unknown_linux_musl CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER \
    CC_x86_64_pc_windows_gnu

# The armhf glibc floor: the binary may need no GLIBC_x.y newer than this.
armhf_glibc=2.17

build() {
    if [[ $1 == armv7-unknown-linux-gnueabihf ]]; then
        # Linked by zig against glibc $armhf_glibc's symbol versions (see
        # scripts/zig-toolchain.sh), not the build machine's glibc.
        cargo zigbuild --locked --release --target "$1.$armhf_glibc"
    else
        cargo build --locked --release --target "$1"
    fi
}

if [[ " ${targets[*]} " == *" linux-armhf "* ]]; then
    # shellcheck source=SCRIPTDIR/zig-toolchain.sh
    source scripts/zig-toolchain.sh
    zig_toolchain || die "could not install zig and cargo-zigbuild (scripts/zig-toolchain.sh)"
fi

if [[ -n $compare ]]; then
    say "opt-level \"s\" vs \"z\" (linux-amd64)"
    declare -A opt_size
    for level in s z; do
        CARGO_PROFILE_RELEASE_OPT_LEVEL=$level build x86_64-unknown-linux-musl
        opt_size[$level]=$(stat -c %s target/x86_64-unknown-linux-musl/release/edgeup)
    done
    for level in s z; do
        printf 'opt-level "%s": %s bytes\n' "$level" "${opt_size[$level]}" >&2
    done
fi

mkdir -p dist
for t in "${targets[@]}"; do
    tr=$(triple "$t")
    say "build $(asset "$t") ($tr)"
    build "$tr"
    src=target/$tr/release/edgeup
    [[ $t == windows-* ]] && src=$src.exe
    install -m 0755 "$src" "dist/$(asset "$t")"
done

# A static ELF has no program interpreter and needs no shared library.
check_static() {
    local f=$1 readelf=$2
    if "$readelf" -lW "$f" | grep -q 'program interpreter'; then
        die "$f is dynamically linked (has a program interpreter)"
    fi
    if "$readelf" -dW "$f" 2>/dev/null | grep -q '(NEEDED)'; then
        die "$f needs shared libraries: $("$readelf" -dW "$f" | grep '(NEEDED)' | tr -s ' ')"
    fi
}

# The highest GLIBC_x.y symbol version a binary needs: the oldest glibc it runs on.
glibc_floor() {
    "$1" -T "$2" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -uV | tail -n 1
}

smoke() {
    local name=$1
    shift
    "$@" detect >/dev/null ||
        die "$name: 'edgeup detect' failed (exit $?)"
    local out
    out=$("$@" plan --platform raspbian-10-armhf --json) ||
        die "$name: 'edgeup plan --platform raspbian-10-armhf --json' failed (exit $?)"
    [[ $out == *'"steps"'* ]] || die "$name: plan --json printed no steps"
    echo "$name: detect and plan --platform raspbian-10-armhf --json ok" >&2
}

say "checks and smoke tests"
for t in "${targets[@]}"; do
    f=dist/$(asset "$t")
    case $t in
        linux-amd64)
            check_static "$f" readelf
            smoke "$t" "$f"
            ;;
        linux-arm64)
            check_static "$f" aarch64-linux-gnu-readelf
            smoke "$t (qemu-aarch64-static)" qemu-aarch64-static "$f"
            ;;
        linux-armhf)
            floor=$(glibc_floor arm-linux-gnueabihf-objdump "$f")
            [[ $(printf '%s\n' "$floor" "$armhf_glibc" | sort -V | tail -n 1) == "$armhf_glibc" ]] ||
                die "$f needs glibc $floor, newer than the $armhf_glibc it was meant to be linked for"
            echo "$t: dynamically linked against glibc; needs glibc >= $floor" \
                "(the highest GLIBC_ symbol version it uses)" >&2
            smoke "$t (qemu-arm-static)" qemu-arm-static -L /usr/arm-linux-gnueabihf "$f"
            ;;
        windows-amd64)
            # Not run here: wine 8 cannot start Rust 1.78+ binaries without a
            # ProcessPrng shim, which tests/windows/wine-checks.sh provides.
            x86_64-w64-mingw32-objdump -f "$f" | grep -q 'pei-x86-64' ||
                die "$f is not a PE32+ x86-64 executable"
            echo "$t: PE32+ x86-64 (run it under wine with tests/windows/wine-checks.sh $f)" >&2
            ;;
    esac
done

say "checksums"
if [[ -f installers/install.sh ]]; then
    install -m 0644 installers/install.sh dist/install.sh
fi
(
    cd dist
    for t in "${targets[@]}"; do
        a=$(asset "$t")
        sha256sum "$a" >"$a.sha256"
        cat "$a.sha256"
    done
    if [[ -f install.sh ]]; then
        sha256sum install.sh >install.sh.sha256
        cat install.sh.sha256
    fi
) >&2

say "sizes"
for t in "${targets[@]}"; do
    f=dist/$(asset "$t")
    printf '%-32s %10s bytes  %6s MiB\n' "$f" "$(stat -c %s "$f")" \
        "$(awk -v b="$(stat -c %s "$f")" 'BEGIN { printf "%.2f", b / 1048576 }')"
done
