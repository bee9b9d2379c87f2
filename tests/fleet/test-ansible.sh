#!/usr/bin/env bash
# Tests the Ansible recipe (installers/ansible/: playbook.yml and the edgeup
# role) against three sandbox roots in one run, with ansible from PyPI:
#  - the example inventory parses and the playbook passes --syntax-check;
#  - hosts sn-001 (Ubuntu 18.04), sn-002 (Ubuntu 16.04, IoT Edge 1.0.8 as a
#    per-host value) and sn-003 (Debian 10, libssl1.0.2 from the stand-in
#    Debian archive) are reached through community.general.chroot (with
#    tests/fleet/sandbox-chroot.sh as its chroot binary, so commands run the
#    way root.sh runs them); sn-001 and sn-002 download edgeup from a local
#    release layout (get_url checks the .sha256), sn-003 gets the local
#    binary (edgeup_local_binary); the group key comes from an
#    ansible-vault encrypted file and a test password file;
#  - the first run provisions all three: PLAY RECAP changed=5 failed=0 for
#    each, the edgeup task changed for each, config.yaml of each holds its
#    registration ID and the device key `edgeup dps derive-key` derives
#    for it, the key files are 0600 root:root, and no key is in the output
#    (every run with -v --diff);
#  - the second run reports changed=0 for all three;
#  - a failing edgeup (a bad registration ID) fails the host with edgeup's
#    exit code and message; a busy one (exit 6) is retried first; a wrong
#    .sha256 fails the download, no unverified binary stays and edgeup does
#    not run.
# Every case prints PASS or FAIL; the last line is "N passed, M failed".
#
# Needs root. Installs python3-venv when missing and ansible (pinned) from
# PyPI into .sandbox-cache/ansible-venv; builds the static edgeup when missing
# (EDGEUP_TEST_BIN). Ansible's output goes to FILE with --log FILE.
#
# Usage: tests/fleet/test-ansible.sh [--log FILE]
# shellcheck disable=SC2016 # single-quoted patterns and dpkg-query formats
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."
repo=$PWD
keep_log=
if [[ ${1:-} == --log ]]; then
    keep_log=${2:?--log needs a file}
    keep_log=$(realpath -m "$keep_log")
fi

# ansible 9 (ansible-core 2.16) manages devices with Python 3.6 and newer
# (Ubuntu 18.04); the `ansible` package carries community.general.
ANSIBLE_PIN=(ansible==9.13.0 ansible-core==2.16.19)
venv=$repo/.sandbox-cache/ansible-venv

ensure_debian_packages python3-venv
fleet_prepare test-ansible
mkdir -p "$repo/.sandbox-cache"
(
    flock -x 9
    if [[ ! -x $venv/bin/ansible-playbook || $(cat "$venv/pinned" 2>/dev/null) != "${ANSIBLE_PIN[*]}" ]]; then
        echo "test-ansible.sh: installing ${ANSIBLE_PIN[*]} into $venv" >&2
        rm -rf "$venv"
        /usr/bin/python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "${ANSIBLE_PIN[@]}"
        echo "${ANSIBLE_PIN[*]}" >"$venv/pinned"
    fi
) 9>"$repo/.sandbox-cache/ansible-venv.lock"

# Ansible on its own: no settings from the caller or an ansible.cfg nearby.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^ANSIBLE_' || true)
export LC_ALL=C.UTF-8
export ANSIBLE_CONFIG=$fleet_work/ansible.cfg
export ANSIBLE_HOME=$fleet_work/ansible-home
export ANSIBLE_LOCAL_TEMP=$fleet_work/ansible-tmp
export ANSIBLE_NOCOLOR=1
printf '[defaults]\nretry_files_enabled = false\n' >"$ANSIBLE_CONFIG"
ansible_playbook() { timeout 900 "$venv/bin/ansible-playbook" "$@"; }

# --- the example inventory and the playbook's syntax ----------------------------------
begin "the example inventory parses (4 hosts in edge_devices)"
run "$venv/bin/ansible-inventory" -i installers/ansible/inventory.example --list
expect "exit 0" rc_is 0
expect "4 hosts, the scope ID and a per-host version" /usr/bin/python3 -c '
import json, sys
inv = json.load(open(sys.argv[1]))
hosts = inv["edge_devices"]["hosts"]
assert sorted(hosts) == ["10.0.7.21", "sn-001", "sn-002", "sn-003"], hosts
hv = inv["_meta"]["hostvars"]
assert hv["sn-001"]["edgeup_scope_id"] == "0ne00000A0A"
assert hv["sn-003"]["edgeup_iotedge_version"] == "1.0.8"
assert hv["10.0.7.21"]["edgeup_registration_id"] == "pi-lab-21"
' "$fleet_work/stdout"
end

begin "ansible-playbook --syntax-check installers/ansible/playbook.yml"
run ansible_playbook --syntax-check -i installers/ansible/inventory.example installers/ansible/playbook.yml
expect "exit 0" rc_is 0
end

# --- three roots, the repository, the inventory and the vault ---------------------------
fleet_serve
badhash=$fleet_work/www/badhash
mkdir -p "$badhash"
echo "not edgeup" >"$badhash/edgeup-linux-amd64"
printf '%s  edgeup-linux-amd64\n' "$(printf 'another binary' | sha256sum | cut -d' ' -f1)" >"$badhash/edgeup-linux-amd64.sha256"

declare -A dir
hosts=(sn-001 sn-002 sn-003)
fleet_root ans-sn-001 ubuntu-18.04 sn-001
dir[sn-001]=$root_dir
fleet_root ans-sn-002 ubuntu-16.04 sn-002
dir[sn-002]=$root_dir
fleet_root ans-sn-003 debian-10 sn-003
dir[sn-003]=$root_dir

group_key=$(random_key)
printf '%s\n' "$group_key" >"$fleet_work/group.key"
inv=$fleet_work/inventory
mkdir -p "$inv/group_vars/edge_devices"
cat >"$inv/hosts.yml" <<EOF
edge_devices:
  hosts:
    sn-001:
      ansible_host: ${dir[sn-001]}
    sn-002:
      ansible_host: ${dir[sn-002]}
      edgeup_iotedge_version: "1.0.8"
    sn-003:
      ansible_host: ${dir[sn-003]}
      edgeup_local_binary: $bin
  vars:
    ansible_connection: community.general.chroot
    ansible_chroot_exe: $repo/tests/fleet/sandbox-chroot.sh
    ansible_python_interpreter: /usr/bin/python3
    ansible_become: false
EOF
cat >"$inv/group_vars/edge_devices/vars.yml" <<EOF
edgeup_scope_id: "0ne00000A0A"
edgeup_group_key: "{{ vault_edgeup_group_key }}"
edgeup_iotedge_version: "1.0.9"
edgeup_download_url: $release
edgeup_retry_delay: 1
edgeup_options:
  mirror: $mirror
  repo-key: $repo_key
  assets-url: $mirror/releases/download
  debian-archive: $mirror/debian
EOF
vault_pass=$fleet_work/vault-password
head -c 24 /dev/urandom | base64 >"$vault_pass"
printf 'vault_edgeup_group_key: "%s"\n' "$group_key" >"$inv/group_vars/edge_devices/vault.yml"
begin "ansible-vault encrypts the group key"
run "$venv/bin/ansible-vault" encrypt --vault-password-file "$vault_pass" "$inv/group_vars/edge_devices/vault.yml"
expect "exit 0" rc_is 0
expect "an AES256 vault" grep -q '^\$ANSIBLE_VAULT;1.1;AES256$' "$inv/group_vars/edge_devices/vault.yml"
expect "the key is not in it" not grep -qF "$group_key" "$inv/group_vars/edge_devices/vault.yml"
end

play() { # play LOG [ARGS...]: the playbook against the test inventory, output in LOG
    local log=$1
    shift
    run ansible_playbook -v --diff -i "$inv" --vault-password-file "$vault_pass" installers/ansible/playbook.yml "$@"
    cp "$fleet_work/stdout" "$log"
    [[ -z $keep_log ]] || { printf '\n### ansible-playbook %s\n' "$*"; cat "$log"; } >>"$keep_log"
}
# recap LOG HOST: the host's PLAY RECAP counters, e.g. "ok=8 changed=5 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0"
recap() {
    awk -v h="$2" '/^PLAY RECAP/ { on = 1; next } on && $1 == h && $2 == ":" { $1 = ""; $2 = ""; sub(/^ +/, ""); gsub(/ +/, " "); print }' "$1"
}
recap_has() { # recap_has LOG HOST REGEX
    [[ $(recap "$1" "$2") =~ $3 ]]
}
# task_result LOG TASK HOST: "changed", "ok", "skipping" or "fatal" for HOST under TASK [edgeup : TASK]
task_result() {
    awk -v t="TASK [edgeup : $2]" -v h="[$3]" '
        index($0, "TASK [") == 1 { on = (index($0, t) == 1); next }
        on && ($2 == h || $2 == h ":") { sub(/:$/, "", $1); print $1; exit }' "$1"
}
install_task="Install and provision IoT Edge (edgeup install)"
no_secret() { # no_secret FILE: neither the group key nor a derived key in FILE
    local h
    grep -qF "$group_key" "$1" && return 1
    for h in "${hosts[@]}"; do grep -qF "$(derive "$h")" "$1" && return 1; done
    return 0
}
derive() { "$bin" dps derive-key --group-key-file "$fleet_work/group.key" --registration-id "$1"; }
in_root() { local h=$1; shift; scripts/sandbox/root.sh run "ans-$h" -- "$@"; }

# --- first run: all three provisioned ----------------------------------------------------
begin "first run against sn-001, sn-002, sn-003: exit 0, every host changed"
play "$fleet_work/run1.log"
expect "exit 0" rc_is 0
for h in "${hosts[@]}"; do
    expect "$h: PLAY RECAP changed=5 unreachable=0 failed=0" recap_has "$fleet_work/run1.log" "$h" '^ok=[0-9]+ changed=5 unreachable=0 failed=0 skipped=[0-9]+ rescued=0 ignored=0$'
    expect "$h: the edgeup task reported changed" test "$(task_result "$fleet_work/run1.log" "$install_task" "$h")" = changed
done
expect "no key in the output (-v --diff)" no_secret "$fleet_work/run1.log"
end

for h in "${hosts[@]}"; do
    begin "$h: provisioned with its registration ID and derived device key"
    config=${dir[$h]}/etc/iotedge/config.yaml
    expect "config.yaml has registration_id $h" grep -qF "    registration_id: \"$h\"" "$config"
    expect "config.yaml has the derived device key" grep -qF "    symmetric_key: \"$(derive "$h")\"" "$config"
    expect "/etc/edgeup is 700 root:root" test "$(in_root "$h" stat -c '%a %U:%G' /etc/edgeup)" = "700 root:root"
    expect "group.key is 600 root:root" test "$(in_root "$h" stat -c '%a %U:%G' /etc/edgeup/group.key)" = "600 root:root"
    expect "edgeup.toml is 600 root:root" test "$(in_root "$h" stat -c '%a %U:%G' /etc/edgeup/edgeup.toml)" = "600 root:root"
    expect "group.key holds the group key" test "$(cat "${dir[$h]}/etc/edgeup/group.key")" = "$group_key"
    expect "the edgeup binary is the one built" cmp -s "$bin" "${dir[$h]}/usr/local/bin/edgeup"
    end
done
begin "per-host values: sn-002 has IoT Edge 1.0.8, the others 1.0.9"
expect "sn-001: iotedge 1.0.9" test "$(in_root sn-001 dpkg-query -W -f='${Version}' iotedge)" = 1.0.9.2-1
expect "sn-002: iotedge 1.0.8" test "$(in_root sn-002 dpkg-query -W -f='${Version}' iotedge)" = 1.0.8-2
expect "sn-003: iotedge 1.0.9 (Debian 10 asset)" grep -q '^1\.0\.9' <<<"$(in_root sn-003 dpkg-query -W -f='${Version}' iotedge)"
expect "sn-003: libssl1.0.2 installed" test -n "$(in_root sn-003 dpkg-query -W -f='${Version}' libssl1.0.2)"
expect "sn-001 and sn-002 downloaded edgeup (sn-003 had it copied)" test "$(grep -c '"GET /release/edgeup-linux-amd64 ' "$fleet_work/server.log")" = 2
end

# --- second run: nothing changes -------------------------------------------------------------
begin "second run: exit 0, changed=0 for all three"
play "$fleet_work/run2.log"
expect "exit 0" rc_is 0
for h in "${hosts[@]}"; do
    expect "$h: PLAY RECAP changed=0 unreachable=0 failed=0" recap_has "$fleet_work/run2.log" "$h" '^ok=[0-9]+ changed=0 unreachable=0 failed=0 skipped=[0-9]+ rescued=0 ignored=0$'
    expect "$h: the edgeup task reported ok" test "$(task_result "$fleet_work/run2.log" "$install_task" "$h")" = ok
done
expect "no key in the output (-v --diff)" no_secret "$fleet_work/run2.log"
end

# --- failures ----------------------------------------------------------------------------------
begin "a failing edgeup fails the host with its exit code and message"
play "$fleet_work/run3.log" --limit sn-003 -e edgeup_registration_id=Not_Valid
expect "ansible-playbook exits 2 (a host failed)" rc_is 2
expect "sn-003: PLAY RECAP failed=1" recap_has "$fleet_work/run3.log" sn-003 '^ok=[0-9]+ changed=1 unreachable=0 failed=1 '
expect "the failure names edgeup's exit code and meaning" grep -qF "edgeup install exited 2 (bad input or usage (nothing was changed))" "$fleet_work/run3.log"
expect "and edgeup's message" grep -qF "Not_Valid" "$fleet_work/run3.log"
expect "the edgeup task itself ran once (no retry for exit 2)" test "$(grep -c 'FAILED - RETRYING' "$fleet_work/run3.log")" = 0
expect "no key in the output (-v --diff)" no_secret "$fleet_work/run3.log"
end

# get_url moves the download into place, then checks it and removes it on a
# mismatch: what must hold is that no unverified binary stays, and edgeup
# does not run.
begin "a busy device (exit 6: another edgeup holds the lock) is retried, then reported"
# This shell holds edgeup's lock (no helper process that could outlive the test).
mkdir -p "${dir[sn-002]}/var/lib/edgeup"
exec {lockfd}>"${dir[sn-002]}/var/lib/edgeup/lock"
flock -x "$lockfd"
play "$fleet_work/run5.log" --limit sn-002 -e '{"edgeup_retries": 2, "edgeup_retry_delay": 1}'
exec {lockfd}>&-
expect "ansible-playbook exits 2" rc_is 2
expect "sn-002: PLAY RECAP failed=1" recap_has "$fleet_work/run5.log" sn-002 '^ok=[0-9]+ changed=0 unreachable=0 failed=1 '
expect "retried (edgeup_retries: 2)" test "$(grep -c '^FAILED - RETRYING: \[sn-002\]: Install and provision IoT Edge (edgeup install) ([0-9] retries left)' "$fleet_work/run5.log")" = 2
expect "the failure names exit 6 and edgeup's message" grep -qF "edgeup install exited 6 (busy: another edgeup or the package manager holds the lock): another edgeup run holds /var/lib/edgeup/lock" "$fleet_work/run5.log"
end

begin "a wrong .sha256 fails the download, leaves no unverified binary, runs nothing"
play "$fleet_work/run4.log" --limit sn-001 -e "edgeup_download_url=$base/badhash"
expect "ansible-playbook exits 2" rc_is 2
expect "sn-001: PLAY RECAP failed=1" recap_has "$fleet_work/run4.log" sn-001 '^ok=[0-9]+ changed=0 unreachable=0 failed=1 '
expect "the download task failed" test "$(task_result "$fleet_work/run4.log" "Download edgeup and check its sha256" sn-001)" = fatal
expect "the message names the checksum" grep -q "The checksum for /usr/local/bin/edgeup did not match" "$fleet_work/run4.log"
expect "the unverified file is not left in place" not grep -qs "not edgeup" "${dir[sn-001]}/usr/local/bin/edgeup"
expect "edgeup did not run" test -z "$(task_result "$fleet_work/run4.log" "$install_task" sn-001)"
end

summary
