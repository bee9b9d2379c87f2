# shellcheck shell=bash
# Sourced by ci/test.sh, the test scripts and the benchmark: install the
# Debian packages a step needs, only those missing, with one quiet
# `apt-get update` and no recommends. Needs root when something is missing.

# missing_debian_packages PKG...: prints the ones not installed, one a line.
missing_debian_packages() {
    local p status
    for p in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [[ $status == installed ]] || echo "$p"
    done
}

# ensure_debian_packages PKG...: installs the ones not installed yet.
ensure_debian_packages() {
    local missing
    mapfile -t missing < <(missing_debian_packages "$@")
    ((${#missing[@]} == 0)) && return 0
    if ((EUID != 0)); then
        echo "must run as root to install: ${missing[*]}" >&2
        return 1
    fi
    echo "installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
