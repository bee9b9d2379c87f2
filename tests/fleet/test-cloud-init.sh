#!/usr/bin/env bash
# Tests the cloud-init recipes (installers/cloud-init/user-data-*.yaml, and
# the example in README.md's "Provisioning a fleet"):
#  - Debian's `cloud-init schema --config-file` accepts every user-data file,
#    and tests/fleet/userdata.py check finds nothing (what the schema cannot
#    see: the config runcmd names is written, 0600 root:root, its *-file keys
#    exist, the one-liner passes --config -y --json, no engine or IoT Edge
#    under `packages:`);
#  - broken copies (wrong permissions type or value, misspelled write_files,
#    no #cloud-config, bad YAML, a --config path nobody writes, moby-engine
#    and iotedge under `packages:`) are refused; the runcmd's bash script
#    passes shellcheck;
#  - each user-data runs as cloud-init would run it in a sandbox root
#    (cloud-init's own write_files code and runcmd script, the GitHub URL
#    pointed at a local release layout, the mirror at the stand-in
#    repository and the splay at 0 through EDGEUP_* variables): with the key placeholder left
#    in, edgeup refuses with exit 2 and changes nothing; with a key, IoT Edge
#    is installed and provisioned with the derived device key, the secrets
#    are 0600 root:root, and a second run changes nothing;
#  - a misspelled key in the embedded edgeup.toml makes edgeup exit 2.
# Every case prints PASS or FAIL; the last line is "N passed, M failed".
#
# Needs root. Installs Debian's cloud-init when it is missing (and then
# creates /etc/cloud/cloud-init.disabled so that it never acts at boot on
# this machine); builds the static edgeup when missing (EDGEUP_TEST_BIN).
#
# Usage: tests/fleet/test-cloud-init.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

if [[ -n $(missing_debian_packages cloud-init) ]]; then
    [[ -e /etc/cloud/cloud-init.disabled ]] && disabled_before=1 || disabled_before=
    ensure_debian_packages cloud-init
    # Installed only for `cloud-init schema` and its Python modules: keep it
    # from configuring this machine at the next boot.
    [[ -n $disabled_before ]] || touch /etc/cloud/cloud-init.disabled
fi
fleet_prepare test-cloud-init
# cloud-init's modules are in the system python3, not in whatever python3 is first on PATH.
userdata() { /usr/bin/python3 tests/fleet/userdata.py "$@"; }
validate() { cloud-init schema --config-file "$1" >/dev/null 2>&1 && userdata check "$1" 2>/dev/null; }

files=(installers/cloud-init/user-data-*.yaml)
((${#files[@]} >= 2)) || { echo "expected the user-data files in installers/cloud-init/" >&2; exit 1; }
# The README's example, under the same checks.
readme_example=$fleet_work/README-example.yaml
userdata readme-example README.md "$readme_example"
files+=("$readme_example")
label() { if [[ $1 == "$readme_example" ]]; then echo "README.md's example"; else echo "$1"; fi; }

# --- static checks ------------------------------------------------------------------
for f in "${files[@]}"; do
    begin "cloud-init schema --config-file $(label "$f")"
    run cloud-init schema --config-file "$f"
    expect "exit 0" rc_is 0
    expect "'Valid cloud-config'" grep -q "^Valid cloud-config" "$fleet_work/stdout"
    end
    begin "userdata.py check $(label "$f")"
    run userdata check "$f"
    expect "exit 0" rc_is 0
    end
    begin "shellcheck the runcmd script of $(label "$f")"
    run bash -c 'set -o pipefail; /usr/bin/python3 tests/fleet/userdata.py bash "$1" | shellcheck -s bash -' _ "$f"
    expect "exit 0" rc_is 0
    end
done

# mutate NAME SED-SCRIPT: a broken copy of the group user-data; it must be refused.
good=installers/cloud-init/user-data-dps-group.yaml
mutate() {
    local copy=$fleet_work/broken-$1.yaml
    sed -e "$2" "$good" >"$copy"
    begin "broken user-data is refused: $1"
    expect "the copy differs from the original" test -n "$(diff "$good" "$copy" || true)"
    expect "validation fails" not validate "$copy"
    end
}
mutate "permissions as a YAML number" "s/permissions: '0600'/permissions: 0600/"
mutate "permissions 0644" "s/permissions: '0600'/permissions: '0644'/"
mutate "write_files misspelled" "s/^write_files:/write_file:/"
mutate "no #cloud-config header" "1d"
mutate "bad YAML indentation" "s/^    owner: root:root/   owner: root:root/"
mutate "--config names a file nobody writes" "s|--config /etc/edgeup/edgeup.toml|--config /etc/edgeup/edgup.toml|"
mutate "group-key-file names a file nobody writes" 's|group-key-file = "/etc/edgeup/group.key"|group-key-file = "/etc/edgeup/grp.key"|'
mutate "the one-liner without -y" "s| -y --json| --json|"
mutate "engine and iotedge under packages:" "\$a packages: [moby-engine, iotedge]"

# --- as cloud-init runs it, in sandbox roots -----------------------------------------
fleet_serve
github=https://github.com/edgeup-dev/edgeup/releases/latest/download
# The environment beats the config file: the stand-in repository, and no
# random start delay (the user-data's splay) in a test.
envs=(--env "EDGEUP_DOWNLOAD_URL=$release" --env "EDGEUP_MIRROR=$mirror" --env "EDGEUP_REPO_KEY=$repo_key"
    --env "EDGEUP_ASSETS_URL=$mirror/releases/download" --env EDGEUP_SPLAY=0)
group_key=$fleet_work/group.key
random_key >"$group_key"
derive() { "$bin" dps derive-key --group-key-file "$group_key" --registration-id "$1"; }
json_field() { /usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
mode_of() { scripts/sandbox/root.sh run "$1" -- stat -c '%a %U:%G' "$2"; }

# cloud_init_case NAME OS HOSTNAME USERDATA PLACEHOLDER KEY REGISTRATION-ID
cloud_init_case() {
    local name=$1 os=$2 host=$3 file=$4 placeholder=$5 key=$6 regid=$7
    fleet_root "$name" "$os" "$host"
    local r=$root_dir report=$root_dir/var/log/edgeup-install.json

    begin "$(label "$file") in a $os root: the key placeholder left in is refused, exit 2, nothing changed"
    run userdata apply "$file" "$r" --url "$github=$release"
    expect "applied" rc_is 0
    run scripts/sandbox/root.sh run "$name" "${envs[@]}" -- /var/lib/cloud/instance/scripts/runcmd
    expect "runcmd exits 2" rc_is 2
    expect "the JSON report has exit_code 2" test "$(json_field "$report" 'd["error"]["exit_code"]' 2>/dev/null)" = 2
    expect "no Microsoft repository was added" test ! -e "$r/etc/apt/sources.list.d/microsoft-prod.list"
    expect "the placeholder is not echoed" test "$(grep -cF -- "$placeholder" "$fleet_work/stderr" "$report")" = "$fleet_work/stderr:0
$report:0"
    end

    begin "$(label "$file") in a $os root: installs and provisions (registration ID $regid)"
    run userdata apply "$file" "$r" --url "$github=$release" --set "$placeholder=$key"
    expect "applied" rc_is 0
    run scripts/sandbox/root.sh run "$name" "${envs[@]}" -- /var/lib/cloud/instance/scripts/runcmd
    expect "runcmd exits 0" rc_is 0
    expect "the JSON report says changed" test "$(json_field "$report" 'd["changed"]' 2>/dev/null)" = True
    local config=$r/etc/iotedge/config.yaml expected
    expected=$(derive "$regid")
    expect "config.yaml has registration_id $regid" grep -qsF "    registration_id: \"$regid\"" "$config"
    expect "config.yaml has the derived device key" grep -qsF "    symmetric_key: \"$expected\"" "$config"
    expect "config.yaml: DPS with the user-data's scope" grep -qsF '  scope_id: "0ne00000A0A"' "$config"
    expect "iotedge is installed" test -n "$(scripts/sandbox/root.sh run "$name" -- dpkg-query -W -f="\${Version}" iotedge 2>/dev/null)"
    local f
    for f in "$r"/etc/edgeup/*; do
        expect "${f#"$r"} is 600 root:root" test "$(mode_of "$name" "${f#"$r"}")" = "600 root:root"
    done
    expect "no key on stdout or stderr" test "$(grep -cF -e "$key" -e "$expected" "$fleet_work/stdout" "$fleet_work/stderr" "$report")" = "$fleet_work/stdout:0
$fleet_work/stderr:0
$report:0"
    end

    begin "$(label "$file") in a $os root: a second run changes nothing"
    run scripts/sandbox/root.sh run "$name" "${envs[@]}" -- /var/lib/cloud/instance/scripts/runcmd
    expect "runcmd exits 0" rc_is 0
    expect "the JSON report says not changed" test "$(json_field "$report" 'd["changed"]' 2>/dev/null)" = False
    end
}

cloud_init_case ci-group ubuntu-18.04 edge-ci-01 installers/cloud-init/user-data-dps-group.yaml \
    REPLACE-WITH-THE-ENROLLMENT-GROUP-PRIMARY-KEY "$(cat "$group_key")" edge-ci-01
cloud_init_case ci-device ubuntu-16.04 localhost installers/cloud-init/user-data-dps-device.yaml \
    REPLACE-WITH-THE-DERIVED-DEVICE-KEY "$(derive sn-007)" sn-007
cloud_init_case ci-readme debian-9 edge-ci-03 "$readme_example" \
    "<the enrollment group's primary key>" "$(cat "$group_key")" edge-ci-03

begin "a misspelled key in the embedded edgeup.toml: edgeup exits 2 naming it"
sed 's/^      scope-id = /      scope_id = /' "$good" >"$fleet_work/badkey.yaml"
fleet_root ci-badkey ubuntu-18.04 edge-ci-02
run userdata apply "$fleet_work/badkey.yaml" "$root_dir" --url "$github=$release" \
    --set "REPLACE-WITH-THE-ENROLLMENT-GROUP-PRIMARY-KEY=$(cat "$group_key")"
run scripts/sandbox/root.sh run ci-badkey "${envs[@]}" -- /var/lib/cloud/instance/scripts/runcmd
expect "runcmd exits 2" rc_is 2
expect "stderr names scope_id" grep -q scope_id "$fleet_work/stderr"
end

summary
