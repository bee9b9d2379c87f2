#!/usr/bin/env bash
# Serves DIR over HTTP on 127.0.0.1 only, on a free port chosen by the kernel
# (the server binds port 0 and reports the port it got, so there is no race),
# and writes that port to PORTFILE (atomically, once the socket listens).
# Runs in the foreground as the python process itself (exec), so callers can
# background it and stop it with `kill $!`. Request logs go to stderr.
#
# Usage: serve.sh DIR PORTFILE
#   e.g. rm -f /tmp/port; scripts/sandbox/serve.sh /tmp/repo /tmp/port & srv=$!
#        while [ ! -s /tmp/port ]; do sleep 0.05; done; port=$(cat /tmp/port)
#        ...; kill "$srv"
set -euo pipefail

(($# == 2)) || {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
    exit 2
}
dir=$1
portfile=$2
[[ -d $dir ]] || { echo "serve.sh: no such directory: $dir" >&2; exit 1; }
rm -f "$portfile"

# The banner line "Serving HTTP on 127.0.0.1 port N (...)" is printed after
# bind+listen; copy it to stderr and record N.
report_port() {
    local line port
    while IFS= read -r line; do
        printf '%s\n' "$line" >&2
        if [[ -z ${port:-} && $line =~ ^Serving\ HTTP\ on\ 127\.0\.0\.1\ port\ ([0-9]+) ]]; then
            port=${BASH_REMATCH[1]}
            printf '%s\n' "$port" >"$portfile.tmp.$$"
            mv "$portfile.tmp.$$" "$portfile"
        fi
    done
}

exec python3 -u -m http.server --bind 127.0.0.1 --directory "$dir" 0 > >(report_port)
