#!/usr/bin/env bash
# Builds OUTDIR, an offline stand-in for the Microsoft package host (plus a
# GitHub-release-like asset tree and a Debian-archive-like libssl1.0.2 repo),
# from the dummy package templates in tests/sandbox/packages/:
#   keys/microsoft.asc         throwaway signing key of the repos (ASCII armor)
#   keys/wrong.asc             another throwaway key ("wrong key" scenario)
#   keys/debian-archive.asc    key of the debian/ repo
#   ubuntu/18.04/multiarch/prod (bionic), ubuntu/16.04/multiarch/prod (xenial),
#   debian/stretch/multiarch/prod (stretch): moby-engine, moby-cli,
#       libiothsm-std, iotedge;  debian/10/prod (buster): moby-engine, moby-cli
#       (signed apt repos: pool/ + dists/<suite>/{Release,InRelease,Release.gpg},
#       main/binary-{amd64,armhf,arm64}/Packages{,.gz})
#   releases/download/<daemon version>/...   GitHub release asset names
#   extra/          docker-ce, docker-ce-cli, containerd.io (not in any repo)
#   debian/         libssl1.0.2 in pool/main/o/openssl1.0/ (suites stretch, buster)
#   config/.../prod.list   only with --base-url URL (the lists name the host)
# With --rpm also the RPM family (templates in tests/sandbox/rpm/):
#   centos/7/prod/  signed yum repository: moby-engine, moby-cli (x86_64,
#       aarch64, armv7hl; packages signed with rpmsign, repodata/repomd.xml
#       signed as repodata/repomd.xml.asc)
#   releases/download/<daemon version>/iotedge-<ver>-1.el7.<arch>.rpm and
#       libiothsm-std_<ver>-1.el7.<arch>.rpm (the el7 assets, facts §1.7)
#   el7/sandbox-el7-base-7-5.1804.noarch.rpm   what a CentOS 7 base provides,
#       for the rpm database of the el7-like roots (rpm -i --justdb)
# Deterministic where cheap (SOURCE_DATE_EPOCH, fixed Release dates); the
# keys, hence the signatures, are new on every run.
#
# With --pad PKG:UPSTREAM:ARCH:MIB (repeatable; for scripts/bench-fetch.sh's
# bundle figure) that .deb gets MIB MiB of random bytes in
# /usr/share/PKG/bench-padding.bin and is built uncompressed, so a bundle
# can weigh what real packages weigh. Without it nothing changes.
#
# Usage: make-repo.sh OUTDIR [--base-url http://127.0.0.1:PORT] [--rpm] [--pad PKG:UPSTREAM:ARCH:MIB]...
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

outdir=
base_url=
with_rpm=false
pads=()
while (($#)); do
    case $1 in
        --base-url) base_url=${2:?--base-url needs a value}; shift 2 ;;
        --rpm) with_rpm=true; shift ;;
        --pad)
            [[ ${2:-} =~ ^[a-z0-9.+-]+:[A-Za-z0-9.+~]+:(amd64|armhf|arm64):[1-9][0-9]*$ ]] ||
                die "--pad needs PKG:UPSTREAM:ARCH:MIB (e.g. moby-engine:3.0.6:amd64:150), not '${2:-}'"
            pads+=("$2")
            shift 2
            ;;
        -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        -*) die "unknown option: $1" ;;
        *) [[ -z $outdir ]] || die "only one OUTDIR"; outdir=$1; shift ;;
    esac
done
[[ -n $outdir ]] || die "usage: make-repo.sh OUTDIR [--base-url URL] [--rpm] [--pad PKG:UPSTREAM:ARCH:MIB]..."
for tool in dpkg-deb apt-ftparchive gpg gzip; do
    command -v "$tool" >/dev/null || die "$tool missing (run scripts/sandbox/deps.sh)"
done
if [[ $with_rpm == true ]]; then
    for tool in rpmbuild rpmsign createrepo_c; do
        command -v "$tool" >/dev/null || die "$tool missing (run scripts/sandbox/deps.sh --rpm)"
    done
fi

templates=$SANDBOX_REPO/tests/sandbox/packages
marker=.edgeup-sandbox-repo
start_ns=$(date +%s%N)

# Refuse to wipe a directory that is not ours.
if [[ -e $outdir ]]; then
    if [[ -n $(ls -A "$outdir") && ! -e $outdir/$marker ]]; then
        die "$outdir exists, is not empty and was not made by make-repo.sh"
    fi
    find "$outdir" -mindepth 1 -delete
else
    mkdir -p "$outdir"
fi
outdir=$(cd "$outdir" && pwd)
: >"$outdir/$marker"

export SOURCE_DATE_EPOCH=1584403200 # 2020-03-17, the 1.0.9 release date
export TZ=UTC LC_ALL=C
umask 022
build=$outdir/.build
gnupghome=$(mktemp -d /tmp/edgeup-gpg.XXXXXX)
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    GNUPGHOME=$gnupghome gpgconf --kill all >/dev/null 2>&1 || true
    rm -rf "$gnupghome" "$build"
}
trap cleanup EXIT
mkdir -p "$build/debs" "$build/stage" "$outdir/keys"

# --- keys ---------------------------------------------------------------
export GNUPGHOME=$gnupghome
chmod 700 "$GNUPGHOME"
make_key() { # make_key UID FILE -> prints fingerprint
    local uid=$1 file=$2 fpr
    gpg --batch --quiet --passphrase '' --quick-gen-key "$uid" rsa2048 sign never 2>/dev/null
    fpr=$(gpg --batch --no-auto-check-trustdb --with-colons --list-keys "$uid" 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
    gpg --batch --no-auto-check-trustdb --armor --export "$fpr" >"$file" 2>/dev/null
    echo "$fpr"
}
ms_key=$(make_key "edgeup sandbox stand-in for Microsoft (Release signing) <sandbox-microsoft@example.invalid>" "$outdir/keys/microsoft.asc")
make_key "edgeup sandbox wrong key <sandbox-wrong@example.invalid>" "$outdir/keys/wrong.asc" >/dev/null
debian_key=$(make_key "edgeup sandbox stand-in for the Debian archive <sandbox-debian@example.invalid>" "$outdir/keys/debian-archive.asc")

# --- packages -----------------------------------------------------------
# shellcheck disable=SC2317 # also called from xargs workers
triplet() {
    case $1 in
        amd64) echo x86_64-linux-gnu ;;
        armhf) echo arm-linux-gnueabihf ;;
        arm64) echo aarch64-linux-gnu ;;
    esac
}

# stage_template TEMPLATE VERSION ARCH STAGE: copies the template's root into
# STAGE with its placeholders filled in (@VERSION@ the package version,
# @UPSTREAM@ the version without revision, @ARCH@ the Debian arch, ...).
# shellcheck disable=SC2317 # called from xargs workers
stage_template() {
    local tpl=$1 version=$2 arch=$3 stage=$4 upstream needs_lib=
    upstream=${version#*:}
    [[ $upstream == *-* ]] && upstream=${upstream%-*}
    [[ $tpl == docker-ce* ]] && upstream=${upstream%%~*} # 19.03.13~3-0~ubuntu-bionic
    if [[ $tpl == iotedge && $arch == armhf ]] && dpkg --compare-versions "$version" lt 1.0.9; then
        needs_lib=/usr/lib/arm-linux-gnueabihf/libssl.so.1.0.2
    fi
    mkdir -p "$stage"
    cp -R "$templates/$tpl/root/." "$stage/"
    if [[ -e $templates/$tpl/dirs ]]; then
        while read -r d; do [[ -n $d ]] && mkdir -p "$stage/$d"; done <"$templates/$tpl/dirs"
    fi
    while IFS= read -r -d '' d; do
        mv "$d" "${d%@TRIPLET@}$(triplet "$arch")"
    done < <(find "$stage" -depth -type d -name '@TRIPLET@' -print0)
    local build_id=sandbox
    [[ $tpl == docker-ce-cli ]] && build_id=4484c46d9d
    find "$stage" -type f -exec sed -i \
        -e "s|@PACKAGE@|$tpl|g" -e "s|@VERSION@|$version|g" -e "s|@UPSTREAM@|$upstream|g" \
        -e "s|@ARCH@|$arch|g" -e "s|@TRIPLET@|$(triplet "$arch")|g" \
        -e "s|@NEEDS_LIB@|$needs_lib|g" -e "s|@BUILD@|$build_id|g" {} +
    chmod -R u=rwX,go=rX "$stage"
    find "$stage" \( -path '*/DEBIAN/pre*' -o -path '*/DEBIAN/post*' -o -path '*/usr/bin/*' -o -path '*/usr/sbin/*' \) \
        -type f -exec chmod 0755 {} +
}

# build_deb TEMPLATE VERSION ARCH: builds $build/debs/<pkg>_<version w/o epoch>_<arch>.deb
# shellcheck disable=SC2317 # called from xargs workers
build_deb() {
    local tpl=$1 version=$2 arch=$3 stage upstream pad compress=(-Zgzip -z9)
    local deb=$build/debs/${tpl}_${version#*:}_$arch.deb
    [[ -e $deb ]] && return 0
    stage=$build/stage/${tpl}_${version#*:}_$arch
    stage_template "$tpl" "$version" "$arch" "$stage"
    upstream=${version#*:}
    [[ $upstream == *-* ]] && upstream=${upstream%-*}
    for pad in $PAD_SPECS; do
        if [[ ${pad%:*} == "$tpl:$upstream:$arch" ]]; then
            mkdir -p "$stage/usr/share/$tpl"
            head -c "$((${pad##*:} * 1024 * 1024))" /dev/urandom >"$stage/usr/share/$tpl/bench-padding.bin"
            compress=(-Znone)
        fi
    done
    dpkg-deb --root-owner-group "${compress[@]}" --build "$stage" "$deb" >/dev/null
}

iotedge_versions=(1.0.7.1-1 1.0.8-1 1.0.8-2 1.0.9-1 1.0.9.1-1 1.0.9.2-1)
moby_versions=(3.0.5 3.0.6 3.0.10+azure-0)
arches=(amd64 armhf arm64)
docker_ce_version=5:19.03.13~3-0~ubuntu-bionic
containerd_version=1.3.7-1
libssl_version=1.0.2u-1~deb9u1

jobs_list=()
for a in "${arches[@]}"; do
    for v in "${moby_versions[@]}"; do jobs_list+=("moby-engine $v $a" "moby-cli $v $a"); done
    for v in "${iotedge_versions[@]}"; do jobs_list+=("libiothsm-std $v $a" "iotedge $v $a"); done
    jobs_list+=("docker-ce $docker_ce_version $a" "docker-ce-cli $docker_ce_version $a"
        "containerd.io $containerd_version $a" "libssl1.0.2 $libssl_version $a")
done
# Build in parallel, one worker per CPU.
PAD_SPECS=${pads[*]}
export build templates PAD_SPECS
export -f build_deb stage_template triplet
printf '%s\n' "${jobs_list[@]}" | xargs -P "$(nproc)" -L 1 bash -c 'build_deb "$@"' build_deb
deb_count=$(find "$build/debs" -name '*.deb' | wc -l)

deb_of() { # deb_of PKG VERSION ARCH
    echo "$build/debs/${1}_${2#*:}_$3.deb"
}
link() { # link SRC DEST (hard link when possible)
    [[ $1 -ef $2 ]] && return 0
    mkdir -p "$(dirname "$2")"
    ln "$1" "$2" 2>/dev/null || cp "$1" "$2"
}
pool_dir() { # Debian pool convention: lib* sources use 4 letters
    case $1 in lib*) echo "${1:0:4}/$1" ;; *) echo "${1:0:1}/$1" ;; esac
}

# --- apt repositories -------------------------------------------------------
# make_apt_repo DIR SUITE ORIGIN KEY PKG...
make_apt_repo() {
    local dir=$outdir/$1 suite=$2 origin=$3 key=$4 p v a f src vers
    shift 4
    for p in "$@"; do
        case $p in
            moby-*) vers=("${moby_versions[@]}") ;;
            libiothsm-std | iotedge) vers=("${iotedge_versions[@]}") ;;
            libssl1.0.2) vers=("$libssl_version") ;;
        esac
        for a in "${arches[@]}"; do
            for v in "${vers[@]}"; do
                f=$(deb_of "$p" "$v" "$a")
                src=$p
                [[ $p == libssl1.0.2 ]] && src=openssl1.0
                link "$f" "$dir/pool/main/$(pool_dir "$src")/${f##*/}"
            done
        done
    done
    (
        cd "$dir"
        # Repos with the same package set have identical pools, hence
        # identical indexes: build them once.
        local index
        index=$build/index/$(printf '%s+' "$@")
        for a in "${arches[@]}"; do
            if [[ ! -e $index/binary-$a/Packages.gz ]]; then
                mkdir -p "$index/binary-$a"
                apt-ftparchive --arch "$a" packages pool/main >"$index/binary-$a/Packages"
                gzip -9n -k "$index/binary-$a/Packages"
            fi
            mkdir -p "dists/$suite/main"
            cp -R "$index/binary-$a" "dists/$suite/main/"
        done
        apt-ftparchive \
            -o APT::FTPArchive::Release::Origin="$origin" \
            -o APT::FTPArchive::Release::Label="$origin" \
            -o APT::FTPArchive::Release::Suite="$suite" \
            -o APT::FTPArchive::Release::Codename="$suite" \
            -o APT::FTPArchive::Release::Architectures="${arches[*]}" \
            -o APT::FTPArchive::Release::Components=main \
            -o APT::FTPArchive::Release::Date="Tue, 17 Mar 2020 00:00:00 UTC" \
            release "dists/$suite" >"$build/Release"
        mv "$build/Release" "dists/$suite/Release"
        gpg --batch --yes --quiet --local-user "$key" --digest-algo SHA256 \
            --clearsign -o "dists/$suite/InRelease" "dists/$suite/Release"
        gpg --batch --yes --quiet --local-user "$key" --digest-algo SHA256 \
            --armor --detach-sign -o "dists/$suite/Release.gpg" "dists/$suite/Release"
    )
}

make_apt_repo ubuntu/18.04/multiarch/prod bionic "microsoft-ubuntu-bionic-prod bionic" "$ms_key" \
    moby-engine moby-cli libiothsm-std iotedge
make_apt_repo ubuntu/16.04/multiarch/prod xenial "microsoft-ubuntu-xenial-prod xenial" "$ms_key" \
    moby-engine moby-cli libiothsm-std iotedge
make_apt_repo debian/stretch/multiarch/prod stretch "microsoft-debian-stretch-multiarch-prod stretch" "$ms_key" \
    moby-engine moby-cli libiothsm-std iotedge
make_apt_repo debian/10/prod buster "microsoft-debian-buster-prod buster" "$ms_key" \
    moby-engine moby-cli
make_apt_repo debian/8/multiarch/prod jessie "microsoft-debian-jessie-multiarch-prod jessie" "$ms_key" \
    moby-engine moby-cli
# Debian-archive-like repo for the Buster libssl1.0.2 workaround.
make_apt_repo debian stretch Debian "$debian_key" libssl1.0.2
make_apt_repo debian buster Debian "$debian_key" libssl1.0.2

# --- GitHub release assets ------------------------------------------------
rel=$outdir/releases/download
# <= 1.0.8: <pkg>_<ver>-<rev>_<arch>.deb (1.0.7.1 had no arm64)
for a in amd64 armhf; do
    link "$(deb_of iotedge 1.0.7.1-1 "$a")" "$rel/1.0.7.1/iotedge_1.0.7.1-1_$a.deb"
    link "$(deb_of libiothsm-std 1.0.7.1-1 "$a")" "$rel/1.0.7.1/libiothsm-std_1.0.7.1-1_$a.deb"
done
for a in "${arches[@]}"; do
    link "$(deb_of iotedge 1.0.8-2 "$a")" "$rel/1.0.8/iotedge_1.0.8-2_$a.deb"
    link "$(deb_of libiothsm-std 1.0.8-2 "$a")" "$rel/1.0.8/libiothsm-std_1.0.8-2_$a.deb"
done
# 1.0.9+: <pkg>_<ver>-<rev>_<os>_<arch>.deb; Debian libiothsm names carry an
# extra "-1" (the package version inside stays <ver>-1). debian8 has no arm64.
for d in 1.0.9 1.0.9.1 1.0.9.2; do
    v=$d-1
    for os in debian8 debian9 debian10 ubuntu16.04 ubuntu18.04; do
        for a in "${arches[@]}"; do
            [[ $os == debian8 && $a == arm64 ]] && continue
            hsm_name=$v
            [[ $os == debian* ]] && hsm_name=$v-1
            link "$(deb_of iotedge "$v" "$a")" "$rel/$d/iotedge_${v}_${os}_$a.deb"
            link "$(deb_of libiothsm-std "$v" "$a")" "$rel/$d/libiothsm-std_${hsm_name}_${os}_$a.deb"
        done
    done
done

# --- loose Docker CE packages ---------------------------------------------
for a in "${arches[@]}"; do
    for p in docker-ce docker-ce-cli; do
        link "$(deb_of "$p" "$docker_ce_version" "$a")" "$outdir/extra/${p}_${docker_ce_version#*:}_$a.deb"
    done
    link "$(deb_of containerd.io "$containerd_version" "$a")" "$outdir/extra/containerd.io_${containerd_version}_$a.deb"
done

# --- apt source lists, as the host's config/ tree -------------------------
if [[ -n $base_url ]]; then
    base_url=${base_url%/}
    write_list() { # write_list PATH REPO SUITE
        mkdir -p "$(dirname "$outdir/config/$1")"
        echo "deb [arch=amd64,armhf,arm64] $base_url/$2 $3 main" >"$outdir/config/$1"
    }
    write_list ubuntu/18.04/multiarch/prod.list ubuntu/18.04/multiarch/prod bionic
    write_list ubuntu/16.04/multiarch/prod.list ubuntu/16.04/multiarch/prod xenial
    write_list debian/stretch/multiarch/prod.list debian/stretch/multiarch/prod stretch
    write_list debian/10/prod.list debian/10/prod buster
fi

# --- the RPM family (--rpm) ---------------------------------------------------
rpm_arch() { # Debian arch -> RPM arch (facts §1.7)
    case $1 in
        amd64) echo x86_64 ;;
        armhf) echo armv7hl ;;
        arm64) echo aarch64 ;;
    esac
}
# build_rpm TEMPLATE VERSION RELEASE: one rpmbuild for the three arches; each
# target's %install copies the stage of its own arch (@ARCH@ differs).
# shellcheck disable=SC2317 # called from xargs workers
build_rpm() {
    local tpl=$1 version=$2 release=$3 a stage=$build/rpmstage/$1-$2-$3 targets=()
    for a in "${arches[@]}"; do
        stage_template "$tpl" "$version-$release" "$a" "$stage/$(rpm_arch "$a")"
        # The Debian control files stay out; el7 units live in /usr/lib/systemd.
        rm -rf "$stage/$(rpm_arch "$a")/DEBIAN"
        if [[ -d $stage/$(rpm_arch "$a")/lib/systemd ]]; then
            mkdir -p "$stage/$(rpm_arch "$a")/usr/lib"
            mv "$stage/$(rpm_arch "$a")/lib/systemd" "$stage/$(rpm_arch "$a")/usr/lib/"
            rmdir "$stage/$(rpm_arch "$a")/lib"
        fi
        targets+=("$(rpm_arch "$a")")
    done
    local IFS=,
    rpmbuild -bb --quiet --target "${targets[*]}" \
        --define "_topdir $build/rpmbuild-$tpl-$version-$release" \
        --define "_rpmdir $build/rpms" \
        --define "_binary_payload w9.gzdio" \
        --define "_buildhost sandbox" \
        --define "pkg_version $version" --define "pkg_release $release" \
        --define "stage $stage/%{_target_cpu}" \
        "$rpm_specs/$tpl.spec" >/dev/null
}

if [[ $with_rpm == true ]]; then
    rpm_moby=(3.0.5+azure-0 3.0.6+azure-0 3.0.10+azure-0)
    rpm_iotedge=(1.0.9 1.0.9.1 1.0.9.2)
    rpm_jobs=()
    for v in "${rpm_moby[@]}"; do
        rpm_jobs+=("moby-engine ${v%-*} ${v##*-}" "moby-cli ${v%-*} ${v##*-}")
    done
    for v in "${rpm_iotedge[@]}"; do
        rpm_jobs+=("libiothsm-std $v 1.el7" "iotedge $v 1.el7")
    done
    export -f build_rpm rpm_arch
    export arches_list="${arches[*]}" rpm_specs=$SANDBOX_REPO/tests/sandbox/rpm
    # shellcheck disable=SC2016 # expanded by the worker's bash
    printf '%s\n' "${rpm_jobs[@]}" |
        xargs -P "$(nproc)" -L 1 bash -c 'read -ra arches <<<"$arches_list"; build_rpm "$@"' build_rpm
    rpmbuild -bb --quiet --define "_topdir $build/rpmbuild-base" --define "_rpmdir $build/rpms" \
        --define "_binary_payload w9.gzdio" --define "_buildhost sandbox" \
        "$rpm_specs/sandbox-el7-base.spec" >/dev/null
    mkdir -p "$outdir/el7"
    link "$build/rpms/noarch/sandbox-el7-base-7-5.1804.noarch.rpm" "$outdir/el7/sandbox-el7-base-7-5.1804.noarch.rpm"

    # The yum repository: moby RPMs signed with the stand-in key (gpgcheck),
    # repomd.xml signed beside it (repo_gpgcheck).
    yum_repo=$outdir/centos/7/prod
    mkdir -p "$yum_repo"
    for a in "${arches[@]}"; do
        for f in "$build/rpms/$(rpm_arch "$a")"/moby-*.rpm; do
            cp "$f" "$yum_repo/"
        done
    done
    rpmsign --addsign --define "_gpg_name $ms_key" --define "_gpg_path $GNUPGHOME" \
        --define "__gpg $(command -v gpg)" \
        "$yum_repo"/*.rpm > >(grep -v "GPG_TTY" >&2) 2>&1
    createrepo_c --quiet --revision "$SOURCE_DATE_EPOCH" "$yum_repo" >/dev/null
    gpg --batch --yes --quiet --local-user "$ms_key" --armor --detach-sign \
        -o "$yum_repo/repodata/repomd.xml.asc" "$yum_repo/repodata/repomd.xml"

    # The el7 release assets (unsigned, as published): rpmbuild's names for
    # iotedge, libiothsm-std renamed with an underscore (facts §1.7).
    for v in "${rpm_iotedge[@]}"; do
        for a in "${arches[@]}"; do
            ra=$(rpm_arch "$a")
            link "$build/rpms/$ra/iotedge-$v-1.el7.$ra.rpm" "$rel/$v/iotedge-$v-1.el7.$ra.rpm"
            link "$build/rpms/$ra/libiothsm-std-$v-1.el7.$ra.rpm" "$rel/$v/libiothsm-std_$v-1.el7.$ra.rpm"
        done
    done
fi

# --- summary ----------------------------------------------------------------
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
echo "make-repo.sh: built $deb_count dummy packages into $outdir in ${elapsed_ms} ms"
for r in ubuntu/18.04/multiarch/prod ubuntu/16.04/multiarch/prod debian/stretch/multiarch/prod debian/10/prod debian; do
    for s in "$outdir/$r"/dists/*/; do
        s=${s%/}
        printf '  %-32s %-8s %3d debs  (%s)\n' "$r" "${s##*/}" \
            "$(grep -c '^Package:' "$s"/main/binary-*/Packages | awk -F: '{ n += $2 } END { print n }')" \
            "$(grep -h '^Package:' "$s"/main/binary-*/Packages | sort -u | awk '{ print $2 }' | paste -sd' ')"
    done
done
printf '  %-32s %3d assets in %s\n' releases/download "$(find "$rel" -name '*.deb' | wc -l)" \
    "$(cd "$rel" && find . -mindepth 1 -maxdepth 1 -type d | sed 's|^\./||' | sort -V | paste -sd' ')"
printf '  %-32s %3d debs  (docker-ce, docker-ce-cli, containerd.io for %s)\n' extra \
    "$(find "$outdir/extra" -name '*.deb' | wc -l)" "${arches[*]}"
printf '  %-32s %s\n' keys "$(cd "$outdir/keys" && find . -type f | sed 's|^\./||' | sort | paste -sd' ') (signing key $ms_key)"
if [[ $with_rpm == true ]]; then
    printf '  %-32s %3d rpms  (%s; repomd.xml.asc)\n' centos/7/prod \
        "$(find "$yum_repo" -name '*.rpm' | wc -l)" "$(cd "$yum_repo" && find . -name '*.rpm' | sed 's|^\./||; s|-[0-9].*||' | sort -u | paste -sd' ')"
    printf '  %-32s %3d el7 assets\n' releases/download "$(find "$rel" -name '*.el7.*.rpm' | wc -l)"
fi
[[ -n $base_url ]] && printf '  %-32s %s\n' config "$(cd "$outdir" && find config -name '*.list' | sort | paste -sd' ')"
exit 0
