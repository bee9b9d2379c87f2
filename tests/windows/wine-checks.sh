#!/usr/bin/env bash
# The Windows binary under wine: the Windows facts come from the registry
# values set here (build, edition, product, installation type), and
# `detect`, `plan` and the refusals must answer as on a real Windows machine.
#
# Usage: tests/windows/wine-checks.sh [EDGEUP_EXE]
# Needs wine and wine64 and the mingw compiler (ci/test.sh installs them).
# Wine 8 cannot start Rust 1.78+ binaries without bcryptprimitives.dll's
# ProcessPrng, so a tiny shim (processprng-shim.c) is built into the prefix.
set -euo pipefail
cd "$(dirname "$0")/../.."

exe=${1:-target/x86_64-pc-windows-gnu/debug/edgeup.exe}
[[ -f $exe ]] || { echo "no $exe: cargo build --target x86_64-pc-windows-gnu" >&2; exit 2; }
export WINEPREFIX=${WINEPREFIX:-$PWD/.sandbox-cache/wineprefix}
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY

if [[ ! -f $WINEPREFIX/system.reg ]]; then
    wineboot -i >/dev/null 2>&1
fi
shim_dir=$(mktemp -d)
trap 'rm -rf "$shim_dir"' EXIT
printf 'LIBRARY bcryptprimitives\nEXPORTS\n    ProcessPrng\n' >"$shim_dir/shim.def"
x86_64-w64-mingw32-gcc -shared -o "$shim_dir/bcryptprimitives.dll" \
    tests/windows/processprng-shim.c "$shim_dir/shim.def"
cp "$shim_dir/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"

key='HKLM\Software\Microsoft\Windows NT\CurrentVersion'
windows() { # windows BUILD EDITION PRODUCT TYPE
    wine reg add "$key" /v CurrentBuildNumber /t REG_SZ /d "$1" /f >/dev/null 2>&1
    wine reg add "$key" /v EditionID /t REG_SZ /d "$2" /f >/dev/null 2>&1
    wine reg add "$key" /v ProductName /t REG_SZ /d "$3" /f >/dev/null 2>&1
    wine reg add "$key" /v InstallationType /t REG_SZ /d "$4" /f >/dev/null 2>&1
}

passed=0 failed=0
check() { # check NAME CONDITION-COMMAND...
    local name=$1
    shift
    if "$@"; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        failed=$((failed + 1))
    fi
}
edgeup() { timeout 120 wine "$exe" "$@"; }
json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {"d": d}))' "$1"; }

windows 17763 ServerStandard "Windows Server 2019 Standard" Server
out=$(edgeup detect --json 2>/dev/null)
check "Server 2019 build 17763 is windows-server-2019-amd64" \
    test "$(json_field 'd["platform"]["id"]' <<<"$out")" = windows-server-2019-amd64
check "... in Tier 1" test "$(json_field 'd["platform"]["tier"]' <<<"$out")" = tier1
check "... with the build read from the registry" test "$(json_field 'd["facts"]["os"]["build"]' <<<"$out")" = 17763

out=$(edgeup plan --json --version 1.0.9 2>/dev/null)
kinds=$(json_field '" ".join(s["kind"] for s in d["steps"])' <<<"$out")
check "plan --json lists the Windows steps in order" test "$kinds" = \
    "enable_windows_feature install_vc_runtime install_windows_package add_to_path write_config service service verify"
check "... installing the 1.0.9.2 CAB" \
    test "$(json_field '[s for s in d["steps"] if s["kind"] == "install_windows_package"][0]["url"]' <<<"$out")" = \
    https://github.com/Azure/azure-iotedge/releases/download/1.0.9.2/Microsoft-Azure-IoTEdge-amd64.cab

windows 17763 IoTEnterpriseS "Windows 10 IoT Enterprise LTSC 2019" Client
out=$(edgeup detect --json 2>/dev/null)
check "IoT Enterprise LTSC 2019 is windows-10-iot-enterprise-amd64" \
    test "$(json_field 'd["platform"]["id"]' <<<"$out")" = windows-10-iot-enterprise-amd64

windows 17763 IoTUAP IoTUAP IoTUAP
out=$(edgeup plan --json 2>/dev/null)
check "IoT Core installs with ApplyUpdate" \
    test "$(json_field '[s for s in d["steps"] if s["kind"] == "install_windows_package"][0]["method"]' <<<"$out")" = ApplyUpdate

windows 19041 IoTEnterprise "Windows 10 IoT Enterprise" Client
set +e
err=$(edgeup plan 2>&1 >/dev/null)
code=$?
set -e
check "build 19041 exits 3" test "$code" = 3
check "... naming the build and the supported one" grep -q "19041.*17763" <<<"$err"
out=$(edgeup detect --json 2>/dev/null)
check "... and detect calls it unsupported" test "$(json_field 'd["platform"]["tier"]' <<<"$out")" = unsupported

windows 17763 ServerDatacenter "Windows Server 2019 Datacenter" "Server Core"
set +e
edgeup plan --version 1.0.6 >/dev/null 2>&1
code=$?
set -e
check "1.0.6 (zips, not a CAB) exits 3 on Windows" test "$code" = 3

echo "$passed passed, $failed failed"
((failed == 0))
