#!/usr/bin/env bash
# The fetch benchmark: how long `edgeup fetch URL -o FILE --sha256 HEX` takes
# to download and verify a 512 MiB file served on 127.0.0.1, against the
# baseline `curl -o FILE URL && sha256sum FILE`, and edgeup's peak RSS.
# Goal (printed, not enforced): wall-time ratio edgeup/baseline <= 1.0 and
# peak RSS <= 16 MiB. Exits non-zero only when something broke (the build,
# the server, a download, a hash mismatch), never for missing the goal.
#
# Usage: scripts/bench-fetch.sh            (BENCH_RUNS=N for N runs of each, default 3)
#
# How the figure is kept honest:
#   - edgeup is built with `cargo build --release --locked` first; the build
#     is reported on its own line and is not part of any timing.
#   - The 512 MiB file has random but reproducible content (a seeded Python
#     PRNG through `head -c`), made once and cached in .sandbox-cache/bench/
#     (git-ignored). Its sha256 is computed once up front, untimed: edgeup is
#     given the expected hash, as in a real install with a manifest. That also
#     leaves the file in the page cache for every run of both tools.
#   - The server is scripts/bench/serve_sendfile.py: Python's http.server with
#     the body sent by sendfile(2), so the kernel, not Python, moves the bytes.
#     Measured on a 2-core VM over 5 fetches of the file each, the server's own
#     CPU per 512 MiB was ~0.18 s for stock `python3 -m http.server` (64 KiB
#     read/write copies), ~0.09 s for this one, ~0.06 s for Debian's `busybox
#     httpd` (also sendfile): this one is near busybox without installing
#     anything beyond python3, which the sandbox needs anyway. The script
#     prints the server's CPU per transfer so it can be checked on each run.
#   - Both tools write into the same directory (same filesystem), outputs are
#     removed between runs, and `sync` runs before each timed command so one
#     run's writeback does not land in the next run's time. Nothing is dropped
#     from the page cache. The order alternates (odd runs edgeup first, even
#     runs the baseline first); medians of each and the ratio of the medians
#     are reported, with every run's times.
#   - edgeup fsyncs its temp file before the rename (curl does not); a
#     reference column shows the baseline plus `sync FILE`, timed after the
#     baseline and not part of the ratio.
#   - Proxy variables are cleared so both tools talk to 127.0.0.1 directly.
#
# The second figure, `edgeup bundle` against one curl + sha256sum of the same
# files (packages padded to 256 MiB), is bench_bundle at the end; its notes
# are there.
#
# Installs Debian's `time`, `curl` and `python3` when missing (root needed
# only then; already-installed packages cost one dpkg-query each).
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C # a '.' decimal point in $EPOCHREALTIME and printf
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY EDGEUP_PROXY EDGEUP_CONFIG
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1

runs=${BENCH_RUNS:-3}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "bench-fetch.sh: BENCH_RUNS must be a positive integer, not '$runs'" >&2; exit 2; }

size=$((512 * 1024 * 1024))
cache=.sandbox-cache/bench
www=$cache/www
blob=$www/fetch-512MiB.bin
seed=20240501
goal_ratio=1.0
goal_rss_kib=$((16 * 1024))

die() {
    printf 'bench-fetch.sh: error: %s\n' "$*" >&2
    exit 1
}

# shellcheck source=SCRIPTDIR/debian-packages.sh
source scripts/debian-packages.sh

# seconds START END: END - START of two $EPOCHREALTIME values, 3 decimals.
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m }'
}

# CPU seconds the machine has been busy so far (all CPUs; not idle, not iowait).
busy_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.3f", ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit }' /proc/stat
}

# CPU seconds (user + system) of this shell's finished children, from the
# output of `times` (which must run in this shell, not in a $(...) subshell).
children_seconds() {
    local t
    t=$(tail -n1 "$1")
    awk -v t="$t" 'BEGIN {
        n = split(t, f, " "); s = 0
        for (i = 1; i <= n; i++) { split(f[i], ms, "m"); sub(/s$/, "", ms[2]); s += ms[1] * 60 + ms[2] }
        printf "%.3f", s
    }'
}

# CPU seconds (user + system, all threads) a process has used so far.
cpu_seconds() {
    local stat
    stat=$(<"/proc/$1/stat")
    stat=${stat##*) }
    awk -v s="$stat" -v hz="$(getconf CLK_TCK)" 'BEGIN { split(s, f, " "); printf "%.3f", (f[12] + f[13]) / hz }'
}

ensure_debian_packages time curl python3

# --- The machine -------------------------------------------------------------
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
[[ -n $cpu_model ]] || cpu_model=$(awk -F': *' '/^(Hardware|Model|cpu model)/ { print $2; exit }' /proc/cpuinfo)
sha_ni=no
grep -qw sha_ni /proc/cpuinfo && sha_ni=yes
echo "== edgeup fetch benchmark (scripts/bench-fetch.sh)"
printf '%-9s %s\n' \
    machine "nproc $(nproc); CPU ${cpu_model:-unknown} (sha_ni: $sha_ni); kernel $(uname -r) $(uname -m); $(awk '/^MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)" \
    load "$(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, before the build)" \
    tools "$(curl --version | head -n1 | cut -d' ' -f1-2); $(sha256sum --version | head -n1); $(python3 --version)"

# --- The build (not timed with the runs) -------------------------------------
start=$EPOCHREALTIME
cargo build --release --locked --quiet || die "cargo build --release --locked failed"
build_time=$(seconds "$start" "$EPOCHREALTIME")
edgeup=${CARGO_TARGET_DIR:-target}/release/edgeup
[[ -x $edgeup ]] || die "no binary at $edgeup after the build"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z $(git status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null) ]] || commit+=" + uncommitted changes in src/"
printf '%-9s %s\n' build "cargo build --release --locked: ${build_time} s (separate; not in any timing below); $edgeup at $commit"

# --- The file (made once, cached; hashed up front, untimed) -------------------
mkdir -p "$www"
need_kib=$((size * 2 / 1024 + 262144))
[[ -f $blob && $(stat -c %s "$blob") -eq $size ]] || need_kib=$((need_kib + size / 1024))
avail_kib=$(df -Pk "$cache" | awk 'NR == 2 { print $4 }')
((avail_kib >= need_kib)) || die "$cache needs $((need_kib / 1024)) MiB free, has $((avail_kib / 1024)) MiB"
made=cached
if [[ ! -f $blob || $(stat -c %s "$blob") -ne $size ]]; then
    start=$EPOCHREALTIME
    python3 -c '
import random, sys
r = random.Random(int(sys.argv[1]))
w = sys.stdout.buffer.write
try:
    while True:
        w(r.randbytes(1 << 20))
except BrokenPipeError:
    pass
' "$seed" 2>/dev/null | head -c "$size" >"$blob.tmp" || true
    [[ $(stat -c %s "$blob.tmp") -eq $size ]] || die "could not write $size bytes to $blob.tmp"
    mv "$blob.tmp" "$blob"
    made="made in $(seconds "$start" "$EPOCHREALTIME") s"
fi
start=$EPOCHREALTIME
expected=$(sha256sum "$blob" | cut -d' ' -f1)
hash_time=$(seconds "$start" "$EPOCHREALTIME")
printf '%-9s %s\n' file "$blob: $size bytes ($made; seed $seed)" \
    "" "sha256 $expected (computed up front in $hash_time s, untimed; given to edgeup as --sha256)"

# --- The server and the run directory ----------------------------------------
work=$(mktemp -d "$cache/run.XXXXXX")
server=
cleanup() {
    if [[ -n $server ]]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
python3 scripts/bench/serve_sendfile.py "$www" "$work/port" 2>"$work/server.log" &
server=$!
for _ in $(seq 200); do
    [[ -s $work/port ]] && break
    kill -0 "$server" 2>/dev/null || die "the server exited: $(cat "$work/server.log")"
    sleep 0.05
done
[[ -s $work/port ]] || die "the server did not start listening within 10 s"
url="http://127.0.0.1:$(<"$work/port")/${blob##*/}"
length=$(curl -fsSI "$url" | tr -d '\r' | awk -F': *' 'tolower($1) == "content-length" { print $2 }')
[[ $length == "$size" ]] || die "the server answers $url with Content-Length '${length}', not $size"
printf '%-9s %s\n' server "scripts/bench/serve_sendfile.py (python http.server, bodies by sendfile(2)) at $url" \
    outputs "$work/ on $(df -PT "$work" | awk 'NR == 2 { print $2 " " $1 }') for both tools; sync before each timed command; page cache not dropped" \
    runs "$runs of each (BENCH_RUNS), order alternating"

# --- The runs ----------------------------------------------------------------
# run_edgeup: times one `edgeup fetch`; sets e_time, e_cpu (user + system
# seconds) and e_rss (peak RSS, KiB).
run_edgeup() {
    local out=$work/edgeup.bin start end got
    rm -f "$out" "$work/.edgeup.bin.part"
    sync
    start=$EPOCHREALTIME
    if ! /usr/bin/time -f '%M %U %S' -o "$work/edgeup.rss" "$edgeup" fetch "$url" -o "$out" --sha256 "$expected" >"$work/edgeup.out" 2>"$work/edgeup.err"; then
        end=$EPOCHREALTIME
        cat "$work/edgeup.out" "$work/edgeup.err" >&2
        die "edgeup fetch failed ($(grep -m1 -o 'exited with non-zero status [0-9]*' "$work/edgeup.rss" || echo 'killed?'))"
    fi
    end=$EPOCHREALTIME
    got=$(cut -d' ' -f1 "$work/edgeup.out")
    [[ $got == "$expected" ]] || die "edgeup fetch reported sha256 '$got', expected $expected"
    [[ $(stat -c %s "$out") -eq $size ]] || die "edgeup fetch wrote $(stat -c %s "$out") bytes, expected $size"
    e_time=$(seconds "$start" "$end")
    read -r e_rss e_user e_sys < <(tail -n1 "$work/edgeup.rss")
    e_cpu=$(awk -v u="$e_user" -v s="$e_sys" 'BEGIN { printf "%.2f", u + s }')
    rm -f "$out"
}

# run_baseline: times `curl -o FILE URL && sha256sum FILE` (both parts, and
# then `sync FILE` for the reference column); sets b_time, b_curl, b_sha, b_fsync.
run_baseline() {
    local out=$work/baseline.bin t0 t1 t2 t3 got
    rm -f "$out"
    sync
    t0=$EPOCHREALTIME
    /usr/bin/time -f %M -o "$work/curl.rss" curl -fsS -o "$out" "$url" || die "curl failed"
    t1=$EPOCHREALTIME
    /usr/bin/time -f %M -o "$work/sha.rss" sha256sum "$out" >"$work/baseline.sum" || die "sha256sum failed"
    t2=$EPOCHREALTIME
    sync "$out"
    t3=$EPOCHREALTIME
    got=$(cut -d' ' -f1 "$work/baseline.sum")
    [[ $got == "$expected" ]] || die "the baseline's download has sha256 '$got', expected $expected"
    b_time=$(seconds "$t0" "$t2")
    b_curl=$(seconds "$t0" "$t1")
    b_sha=$(seconds "$t1" "$t2")
    b_fsync=$(seconds "$t0" "$t3")
    rm -f "$out"
}

server_cpu_before=$(cpu_seconds "$server")
busy_before=$(busy_seconds)
times >"$work/times.before"
children_before=$(children_seconds "$work/times.before")
runs_start=$EPOCHREALTIME
e_times=() e_rsses=() b_times=() rows=()
# run_pair I EDGEUP_RUN BASELINE_RUN: run I of a figure, edgeup first on odd
# runs and the baseline first on even ones; sets order.
run_pair() {
    if (($1 % 2)); then
        order="edgeup, baseline"
        "$2"
        "$3"
    else
        order="baseline, edgeup"
        "$3"
        "$2"
    fi
}

for ((i = 1; i <= runs; i++)); do
    run_pair "$i" run_edgeup run_baseline
    e_times+=("$e_time") e_rsses+=("$e_rss") b_times+=("$b_time")
    rows+=("$(printf '%-4s %-17s %7s %6s %12s  (%6s + %6s) %11s %7s' \
        "$i" "$order" "$e_time" "$e_cpu" "$b_time" "$b_curl" "$b_sha" "$b_fsync" "$e_rss")")
done
runs_wall=$(seconds "$runs_start" "$EPOCHREALTIME")
times >"$work/times.after"
server_cpu_total=$(awk -v a="$server_cpu_before" -v b="$(cpu_seconds "$server")" 'BEGIN { printf "%.3f", b - a }')
others_cpu=$(awk -v b0="$busy_before" -v b1="$(busy_seconds)" -v c0="$children_before" -v c1="$(children_seconds "$work/times.after")" -v s="$server_cpu_total" \
    'BEGIN { o = (b1 - b0) - (c1 - c0) - s; if (o < 0) o = 0; printf "%.1f", o }')
server_cpu=$(awk -v a="$server_cpu_before" -v b="$(cpu_seconds "$server")" -v n="$((2 * runs))" 'BEGIN { printf "%.3f", (b - a) / n }')

e_med=$(median "${e_times[@]}")
b_med=$(median "${b_times[@]}")
rss_max=$(printf '%s\n' "${e_rsses[@]}" | sort -n | tail -n1)
ratio=$(awk -v e="$e_med" -v b="$b_med" 'BEGIN { printf "%.2f", e / b }')
ratio_met=$(awk -v r="$ratio" -v g="$goal_ratio" 'BEGIN { print (r <= g) ? "met" : "NOT met" }')
rss_met=$( ((rss_max <= goal_rss_kib)) && echo met || echo "NOT met")

echo
echo "== fetch: 512 MiB from 127.0.0.1, download + sha256 (wall seconds; RSS in KiB)"
printf '%-4s %-17s %7s %6s %12s  (%6s + %6s) %11s %7s\n' \
    run order edgeup "(cpu)" "curl+sha256" curl sha256 "+fsync ref" RSS
printf '%s\n' "${rows[@]}"
printf '%-22s %7s %6s %12s %30s %7s\n' "median (RSS: max)" "$e_med" "" "$b_med" "" "$rss_max"
echo
printf '%-34s %s\n' \
    "ratio of medians (edgeup/baseline)" "$ratio   goal <= $goal_ratio: $ratio_met" \
    "edgeup peak RSS (max of runs)" "$(awk -v k="$rss_max" 'BEGIN { printf "%.1f MiB", k / 1024 }')   goal <= $((goal_rss_kib / 1024)) MiB: $rss_met" \
    "server CPU per transfer" "$server_cpu s (user+system; the server is not the bottleneck when this is small)" \
    "CPU used by anything else" "$others_cpu s of ${runs_wall} s x $(nproc) CPUs during the runs (other processes, kernel writeback)"
if [[ $ratio_met == met && $rss_met == met ]]; then
    echo "goal: met"
else
    echo "goal: NOT met"
fi
echo "(edgeup = edgeup fetch URL -o FILE --sha256 HEX, (cpu) its user+system seconds, RSS its peak"
echo " in KiB; baseline = curl -o FILE URL && sha256sum FILE, split into its two parts; '+fsync ref'"
echo " = baseline then sync FILE, for reference only: edgeup fsyncs before its rename, curl does not)"

# --- The bundle figure ---------------------------------------------------------
# `edgeup bundle` for ubuntu-18.04-amd64 / 1.0.9 against a stand-in of the
# Microsoft repository (scripts/sandbox/make-repo.sh) whose four pinned
# packages are padded with random bytes to 256 MiB in all, against fetching
# the same files with one curl (one process, every URL) and hashing them with
# sha256sum. Which files: those edgeup asked the server for in an untimed
# warm-up bundle (the server's request log). Every timed bundle must be
# byte-identical to the warm-up one (reproducible bundles), and the
# baseline's package hashes must match the bundle manifest's.
bundle_platform=ubuntu-18.04-amd64
bundle_release=1.0.9
bundle_pads=(moby-engine 150 moby-cli 60 iotedge 36 libiothsm-std 10) # MiB, 256 in all

# run_bundle: times one `edgeup bundle`; sets u_time, u_cpu, u_rss.
run_bundle() {
    local out=$work/bundle.tar start end
    rm -f "$out"
    sync
    start=$EPOCHREALTIME
    if ! /usr/bin/time -f '%M %U %S' -o "$work/bundle.rss" "$edgeup" bundle --platform "$bundle_platform" \
        --version "$bundle_release" --mirror "$repo_url" --repo-key "$repo_url/keys/microsoft.asc" \
        -o "$out" >"$work/bundle.out" 2>"$work/bundle.err"; then
        cat "$work/bundle.out" "$work/bundle.err" >&2
        die "edgeup bundle failed"
    fi
    end=$EPOCHREALTIME
    cmp -s "$out" "$work/warm.tar" || die "a timed bundle differs from the warm-up bundle (not reproducible)"
    u_time=$(seconds "$start" "$end")
    read -r u_rss u_user u_sys < <(tail -n1 "$work/bundle.rss")
    u_cpu=$(awk -v u="$u_user" -v s="$u_sys" 'BEGIN { printf "%.2f", u + s }')
    rm -f "$out"
}

# run_curls: times one curl over every URL, then sha256sum over the files;
# sets c_time, c_curl, c_sha.
run_curls() {
    local dir=$work/curl t0 t1 t2
    rm -rf "$dir"
    mkdir -p "$dir"
    sync
    t0=$EPOCHREALTIME
    (cd "$dir" && curl -fsS "${curl_args[@]}") || die "curl failed"
    t1=$EPOCHREALTIME
    (cd "$dir" && sha256sum -- *) >"$work/curl.sums" || die "sha256sum failed"
    t2=$EPOCHREALTIME
    local name sum
    while read -r name sum; do
        grep -qx "$sum  $name" "$work/curl.sums" || die "curl's $name does not have the manifest's sha256 $sum"
    done <"$work/expected.sums"
    c_time=$(seconds "$t0" "$t2")
    c_curl=$(seconds "$t0" "$t1")
    c_sha=$(seconds "$t1" "$t2")
    rm -rf "$dir"
}

bench_bundle() {
    echo
    echo "== bundle: edgeup bundle ($bundle_platform, $bundle_release) vs one curl + sha256sum of the same files"
    local repo=$cache/bundle-repo spec=() pkg mib version server_b port_b i
    # The pinned versions, from edgeup's own plan (untimed).
    "$edgeup" plan --platform "$bundle_platform" --version "$bundle_release" --json >"$work/plan.json" ||
        die "edgeup plan --platform $bundle_platform failed"
    for ((i = 0; i < ${#bundle_pads[@]}; i += 2)); do
        pkg=${bundle_pads[i]} mib=${bundle_pads[i + 1]}
        version=$(python3 -c '
import json, sys
for step in json.load(open(sys.argv[1]))["steps"]:
    for p in step.get("packages", []):
        if p["name"] == sys.argv[2]:
            print(p["version"])
' "$work/plan.json" "$pkg")
        [[ -n $version ]] || die "the plan for $bundle_platform pins no $pkg"
        spec+=(--pad "$pkg:$version:amd64:$mib")
    done
    # The padded repository: made once, cached (make-repo.sh needs the sandbox tools).
    if [[ ! -e $repo/.edgeup-sandbox-repo || $(cat "$repo.pads" 2>/dev/null) != "${spec[*]}" ]]; then
        ensure_debian_packages dpkg-dev apt-utils gnupg # make-repo.sh's dpkg-deb, apt-ftparchive, gpg
        start=$EPOCHREALTIME
        rm -f "$repo.pads"
        scripts/sandbox/make-repo.sh "$repo" "${spec[@]}" >"$work/make-repo.log" 2>&1 ||
            { cat "$work/make-repo.log" >&2; die "make-repo.sh failed"; }
        echo "${spec[*]}" >"$repo.pads"
        echo "repository: made in $(seconds "$start" "$EPOCHREALTIME") s (${spec[*]})"
    else
        echo "repository: cached ($repo; ${spec[*]})"
    fi
    : >"$work/requests.log"
    python3 scripts/bench/serve_sendfile.py "$repo" "$work/port-b" "$work/requests.log" 2>"$work/server-b.log" &
    server_b=$!
    # shellcheck disable=SC2064 # expand now: this server's pid, then the main cleanup
    trap "kill $server_b 2>/dev/null || true; cleanup" EXIT
    for _ in $(seq 200); do
        [[ -s $work/port-b ]] && break
        sleep 0.05
    done
    [[ -s $work/port-b ]] || die "the repository server did not start"
    port_b=$(<"$work/port-b")
    repo_url=http://127.0.0.1:$port_b

    # Warm-up (untimed): the file list, the manifest, and the reference tar.
    "$edgeup" bundle --platform "$bundle_platform" --version "$bundle_release" --mirror "$repo_url" \
        --repo-key "$repo_url/keys/microsoft.asc" -o "$work/warm.tar" --json >"$work/manifest.json" 2>"$work/warm.err" ||
        { cat "$work/warm.err" >&2; die "the warm-up edgeup bundle failed"; }
    python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
m = m.get("manifest", m)
for f in m["files"]:
    if f["path"].endswith(".deb"):
        print(f["path"].rsplit("/", 1)[-1], f["sha256"])
' "$work/manifest.json" >"$work/expected.sums"
    [[ -s $work/expected.sums ]] || die "the bundle manifest lists no packages"
    curl_args=()
    local deb_bytes=0 files=0 total=0 path size
    while read -r _ path code; do
        [[ $code == 200 ]] || die "the warm-up bundle's request for $path got $code"
        curl_args+=(-o "${path##*/}" "$repo_url$path")
        size=$(stat -c %s "$repo$path")
        total=$((total + size))
        files=$((files + 1))
        [[ $path == *.deb ]] && deb_bytes=$((deb_bytes + size))
    done <"$work/requests.log"
    ((deb_bytes >= 256 * 1024 * 1024)) || die "the bundle's packages total $deb_bytes bytes, less than 256 MiB"
    local tar_size
    tar_size=$(stat -c %s "$work/warm.tar")
    printf '%-9s %s\n' files "$files requests, $total bytes ($deb_bytes in $(wc -l <"$work/expected.sums") packages); bundle tar $tar_size bytes" \
        server "$repo_url (same sendfile server; request log read once, from the warm-up)"

    local u_times=() c_times=() u_rsses=() brows=() order
    for ((i = 1; i <= runs; i++)); do
        run_pair "$i" run_bundle run_curls
        u_times+=("$u_time") c_times+=("$c_time") u_rsses+=("$u_rss")
        brows+=("$(printf '%-4s %-17s %7s %6s %12s  (%6s + %6s) %7s' \
            "$i" "$order" "$u_time" "$u_cpu" "$c_time" "$c_curl" "$c_sha" "$u_rss")")
    done
    kill "$server_b" 2>/dev/null || true
    local u_med c_med b_ratio b_rss
    u_med=$(median "${u_times[@]}")
    c_med=$(median "${c_times[@]}")
    b_rss=$(printf '%s\n' "${u_rsses[@]}" | sort -n | tail -n1)
    b_ratio=$(awk -v e="$u_med" -v b="$c_med" 'BEGIN { printf "%.2f", e / b }')
    printf '%-4s %-17s %7s %6s %12s  (%6s + %6s) %7s\n' run order bundle "(cpu)" "curl+sha256" curl sha256 RSS
    printf '%s\n' "${brows[@]}"
    printf '%-22s %7s %6s %12s %18s %7s\n' "median (RSS: max)" "$u_med" "" "$c_med" "" "$b_rss"
    echo
    printf '%-34s %s\n' \
        "ratio of medians (bundle/baseline)" "$b_ratio   (goal: download speed, i.e. about 1.0 or less)" \
        "edgeup bundle peak RSS (max)" "$(awk -v k="$b_rss" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
    echo "(bundle = edgeup bundle ... -o FILE: fetch, verify against the signed index, write the tar;"
    echo " baseline = curl -o NAME URL for every file in one curl, then sha256sum of them all)"
}
bench_bundle
