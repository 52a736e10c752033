#!/usr/bin/env bash
# Provide the base images app/Dockerfile names, on machines that cannot pull them.
#
#   gcr.io/distroless/cc-debian12:debug   where the runtime files come from
#   swift:6.3-bookworm                    the builder base
#   debian:bookworm-slim                  under the builder stand-in, and where the runtime
#                                         stand-in's packages come from
#
# With --pull (or BASE_IMAGE_PULL=1), the real images are pulled where a registry answers and nothing
# is substituted. Without it, nothing is fetched from a registry at all (no lookup leaves the machine,
# as the project's tests require), and where the images are missing (an offline lab, an air-gapped
# build host) this builds local stand-ins under the same names, so `docker build app/` runs unchanged:
#
# - the Debian stand-in is bookworm from debootstrap (minbase, as the official image), with the
#   official slim variant's dpkg path exclusions for documentation, manuals and translations;
# - the runtime stand-in holds what distroless's cc image is made of, unpacked from the same bookworm
#   packages (base-files, netbase, tzdata, libc6, libssl3, libgcc-s1, libgomp1, libstdc++6, and the
#   CA bundle), with its users (root, nonroot, nobody) and, as in its debug variant, a static busybox
#   under /busybox; so image sizes measured on it compare with the real image;
# - the builder stand-in is the Debian image plus the packages the official Swift bookworm image installs,
#   the Swift toolchain installed on this machine, and this machine's mirror of the Swift packages'
#   git repositories with a git `insteadOf` rule, so `swift package resolve` works with no network.
#
# Each stand-in carries a label with a fingerprint of what it was built from; a stand-in whose
# fingerprint still matches is kept, so running this again costs a few seconds.
set -euo pipefail

readonly DEBIAN_IMAGE="debian:bookworm-slim"
readonly RUNTIME_IMAGE="gcr.io/distroless/cc-debian12:debug"
readonly BUILDER_IMAGE="swift:6.3-bookworm"
# distroless's cc image, package by package (static: base-files netbase tzdata and the CA bundle;
# base: libc6 libssl3; cc: libgcc-s1 libgomp1 libstdc++6); its debug variant adds busybox.
readonly RUNTIME_PACKAGES="base-files netbase tzdata libc6 libssl3 libgcc-s1 libgomp1 libstdc++6 busybox-static"
readonly SUITE="bookworm"
readonly STAND_IN_LABEL="org.cloud-app-platform.base-stand-in"

DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SWIFT_TOOLCHAIN="${SWIFT_TOOLCHAIN:-/opt/swift}"
SWIFT_PACKAGE_MIRROR="${SWIFT_PACKAGE_MIRROR:-/opt/swift-packages}"
WORK_PARENT="${OFFLINE_BASE_IMAGES_WORKDIR:-/var/tmp}"
LOCK_FILE="${OFFLINE_BASE_IMAGES_LOCK:-/tmp/offline-base-images.lock}"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly BUILDER_DOCKERFILE="$SCRIPT_DIR/offline-base-images/swift-builder.Dockerfile"

REBUILD=false
PULL="${BASE_IMAGE_PULL:-0}"
WORK_DIR=""

usage() {
    cat <<EOF
Usage: scripts/offline-base-images.sh [--pull] [--rebuild] [--help]

Makes sure the images $DEBIAN_IMAGE, $RUNTIME_IMAGE and $BUILDER_IMAGE exist in the
local Docker engine. For each: a real image already present is kept; otherwise, with --pull, a pull
is tried; when there is no pull or it fails, a local stand-in is built (debootstrap for Debian;
bookworm's packages unpacked for the runtime; the local Swift toolchain and package mirror for the
builder). A stand-in that is still current is kept.

Options:
  --pull      try the registry first (also BASE_IMAGE_PULL=1); without it nothing is pulled
  --rebuild   rebuild the stand-ins even when they are current (never replaces a real image)
  --help      show this text

Environment:
  DEBIAN_MIRROR                Debian mirror for debootstrap (default http://deb.debian.org/debian)
  SWIFT_TOOLCHAIN              installed Swift toolchain, holding usr/ (default /opt/swift)
  SWIFT_PACKAGE_MIRROR         bare git mirrors of github.com/OWNER/REPO.git (default /opt/swift-packages)
  OFFLINE_BASE_IMAGES_WORKDIR  where the stand-ins are staged (default /var/tmp)
  OFFLINE_BASE_IMAGES_LOCK     lock file that serialises concurrent runs (default /tmp/offline-base-images.lock)

Needs a running engine (scripts/docker-engine.sh); building the Debian and runtime stand-ins needs root.
EOF
}

log() { printf 'offline-base-images: %s\n' "$*" >&2; }

die() {
    log "$*"
    exit 1
}

cleanup() {
    [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]] || return 0
    local mount_point
    # A failed debootstrap or chroot step can leave /proc mounted inside the root file system.
    while read -r mount_point; do
        umount -l "$mount_point" 2>/dev/null || true
    done < <(findmnt -rn -o TARGET | grep -F "$WORK_DIR/" | sort -r)
    rm -rf --one-file-system "$WORK_DIR"
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# Empty for a real image, the fingerprint for a stand-in.
stand_in_fingerprint() {
    docker image inspect --format "{{ index .Config.Labels \"$STAND_IN_LABEL\" }}" "$1" 2>/dev/null || true
}

try_pull() {
    local image="$1" output
    if output="$(docker pull --quiet "$image" 2>&1)"; then
        log "$image: pulled from its registry; nothing substituted"
        return 0
    fi
    log "$image: cannot be pulled (${output##*$'\n'})"
    return 1
}

sha256_of() { sha256sum | cut -c1-16; }

# What the Debian stand-in is made of: the functions that build it (as bash prints them, so a
# comment edit rebuilds nothing), the suite and the mirror.
debian_fingerprint() {
    {
        declare -f build_debian_stand_in write_slim_dpkg_config remove_excluded_paths \
            write_container_apt_config apply_updates clean_rootfs
        echo "$SUITE $DEBIAN_MIRROR"
    } | sha256_of
}

# What the runtime stand-in is made of: the functions that build it, its packages, and the Debian
# image whose package lists it reads.
runtime_fingerprint() {
    {
        declare -f build_runtime_stand_in unpack_runtime_packages
        echo "$RUNTIME_PACKAGES"
        docker image inspect --format '{{.Id}}' "$DEBIAN_IMAGE"
    } | sha256_of
}

# What the builder stand-in is made of: its recipe, the Debian image under it, the toolchain and
# the state of every branch and tag in the package mirror.
builder_fingerprint() {
    {
        declare -f build_builder_stand_in stage_tree
        grep -v '^#' "$BUILDER_DOCKERFILE"
        docker image inspect --format '{{.Id}}' "$DEBIAN_IMAGE"
        "$SWIFT_TOOLCHAIN/usr/bin/swift" --version 2>&1
        (cd "$SWIFT_PACKAGE_MIRROR" && find . \( -name packed-refs -o -path '*/refs/*' \) -type f -print0 |
            sort -z | xargs -0 -r sha256sum)
    } | sha256_of
}

new_work_dir() {
    WORK_DIR="$(mktemp -d "$WORK_PARENT/offline-base-image.XXXXXX")"
}

# Runs a long, chatty step with its output in the work directory; shows the end of it on failure.
run_logged() {
    local log_file="$WORK_DIR/build.log"
    if ! "$@" >>"$log_file" 2>&1; then
        tail -n 25 "$log_file" >&2
        die "failed: $*"
    fi
}

# The official slim variant leaves these paths out of every package; dpkg keeps doing so for any
# package installed later (the copyright files and the locale alias stay).
write_slim_dpkg_config() {
    local rootfs="$1"
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
# Slim variant: documentation, manuals and translations are left out of installed packages.
path-exclude /usr/share/doc/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
path-include /usr/share/doc/*/copyright
path-include /usr/share/locale/locale.alias
EOF
}

# Remove what the exclusions above would have kept out, had they been there when debootstrap
# installed the base packages.
remove_excluded_paths() {
    local rootfs="$1" dir
    for dir in doc groff info linda lintian/overrides locale man; do
        [[ -d "$rootfs/usr/share/$dir" ]] || continue
        find "$rootfs/usr/share/$dir" -mindepth 1 ! -type d \
            ! -path "$rootfs/usr/share/doc/*/copyright" \
            ! -path "$rootfs/usr/share/locale/locale.alias" \
            -delete
        find "$rootfs/usr/share/$dir" -mindepth 1 -depth -type d -empty -delete
    done
}

# The container conventions of the official Debian images: no services started by package
# installs, no package caches or translated indexes kept in layers.
write_container_apt_config() {
    local rootfs="$1"
    printf '#!/bin/sh\n# Package installs in an image build must not start services.\nexit 101\n' \
        >"$rootfs/usr/sbin/policy-rc.d"
    chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
    printf '# Image builds are thrown away on failure; skip the fsync calls.\nforce-unsafe-io\n' \
        >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
    cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
// Downloaded packages and binary caches would only grow image layers.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    echo 'Acquire::GzipIndexes "true";' >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
    echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
    echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
    rm -f "$rootfs/etc/apt/sources.list"
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
}

# debootstrap installs the point release; the official image also carries the security and
# stable updates published since. Name resolution inside the chroot borrows the host's files.
apply_updates() {
    local rootfs="$1" file
    for file in hosts resolv.conf; do
        if [[ -e "$rootfs/etc/$file" ]]; then mv "$rootfs/etc/$file" "$rootfs/etc/$file.pristine"; fi
        cp /etc/"$file" "$rootfs/etc/$file"
    done
    mount -t proc proc "$rootfs/proc"
    run_logged chroot "$rootfs" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
        sh -c 'apt-get -q update && apt-get -q -y upgrade'
    umount "$rootfs/proc"
    for file in hosts resolv.conf; do
        rm -f "$rootfs/etc/$file"
        if [[ -e "$rootfs/etc/$file.pristine" ]]; then mv "$rootfs/etc/$file.pristine" "$rootfs/etc/$file"; fi
    done
}

clean_rootfs() {
    local rootfs="$1"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/ldconfig/aux-cache
    rm -rf "$rootfs"/tmp/* "$rootfs"/var/tmp/*
    find "$rootfs/var/log" -type f -delete
}

build_debian_stand_in() {
    local fingerprint="$1" rootfs
    [[ "$(id -u)" -eq 0 ]] || die "building the Debian stand-in needs root (debootstrap, chroot)"
    command -v debootstrap >/dev/null || die "debootstrap is missing (Debian: apt-get install debootstrap)"
    new_work_dir
    rootfs="$WORK_DIR/rootfs"
    log "$DEBIAN_IMAGE: debootstrap $SUITE (minbase) from $DEBIAN_MIRROR"
    run_logged debootstrap --variant=minbase --components=main "$SUITE" "$rootfs" "$DEBIAN_MIRROR"
    write_slim_dpkg_config "$rootfs"
    remove_excluded_paths "$rootfs"
    write_container_apt_config "$rootfs"
    log "$DEBIAN_IMAGE: applying $SUITE-updates and $SUITE-security"
    apply_updates "$rootfs"
    clean_rootfs "$rootfs"
    log "$DEBIAN_IMAGE: importing"
    tar --numeric-owner --xattrs -C "$rootfs" \
        --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' --exclude='./run/*' \
        -cf - . |
        docker import \
            --change 'CMD ["bash"]' \
            --change "LABEL $STAND_IN_LABEL=\"$DEBIAN_IMAGE debootstrap $fingerprint\"" \
            - "$DEBIAN_IMAGE" >/dev/null
    cleanup
    WORK_DIR=""
}

# Runs inside the Debian image, as root, with the work directory at /work: fetches the packages
# (the mirror answers on the host network), unpacks each into /work/rootfs with its control file
# under var/lib/dpkg/status.d (where distroless records its packages), and writes the CA bundle
# Debian's ca-certificates package generates.
unpack_runtime_packages() {
    set -eu
    export DEBIAN_FRONTEND=noninteractive
    apt-get -q update
    apt-get -q install -y --no-install-recommends ca-certificates
    mkdir -p /work/debs /work/rootfs/var/lib/dpkg/status.d /work/rootfs/etc/ssl/certs
    cd /work/debs
    # shellcheck disable=SC2086 # RUNTIME_PACKAGES is a list of words
    apt-get -q download $RUNTIME_PACKAGES
    for deb in ./*.deb; do
        dpkg-deb --extract "$deb" /work/rootfs
        dpkg-deb --field "$deb" >"/work/rootfs/var/lib/dpkg/status.d/$(dpkg-deb --field "$deb" Package)"
    done
    cp /etc/ssl/certs/ca-certificates.crt /work/rootfs/etc/ssl/certs/ca-certificates.crt
}

build_runtime_stand_in() {
    local fingerprint="$1" rootfs applet
    [[ "$(id -u)" -eq 0 ]] || die "building the runtime stand-in needs root (file owners for the image)"
    new_work_dir
    rootfs="$WORK_DIR/rootfs"
    log "$RUNTIME_IMAGE: unpacking $RUNTIME_PACKAGES from $SUITE"
    run_logged docker run --rm --network host -v "$WORK_DIR:/work" -e RUNTIME_PACKAGES="$RUNTIME_PACKAGES" \
        "$DEBIAN_IMAGE" bash -c "$(declare -f unpack_runtime_packages); unpack_runtime_packages"
    # The debug variant's shell: busybox and one link per applet, under /busybox only.
    mkdir -p "$rootfs/busybox"
    mv "$rootfs/bin/busybox" "$rootfs/busybox/busybox"
    for applet in $("$rootfs/busybox/busybox" --list); do
        [[ -e "$rootfs/busybox/$applet" ]] || ln -s busybox "$rootfs/busybox/$applet"
    done
    # Documentation stays out, except each package's copyright file, as in distroless.
    rm -rf "$rootfs/usr/share/man" "$rootfs/usr/share/info" "$rootfs/usr/share/lintian" "$rootfs/usr/share/locale"
    find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    # distroless's users and groups: root, nonroot (65532) and nobody.
    printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
        'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$rootfs/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' >"$rootfs/etc/group"
    # distroless's name service switch: local files first (/etc/hosts before DNS), as in Debian.
    printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' 'gshadow: files' 'hosts: files dns' \
        'networks: files' 'protocols: files' 'services: files' 'ethertypes: files' 'rpc: files' \
        'netgroup: files' >"$rootfs/etc/nsswitch.conf"
    install -d -m 0700 "$rootfs/root"
    install -d -m 0700 -o 65532 -g 65532 "$rootfs/home/nonroot"
    install -d -m 1777 "$rootfs/tmp"
    log "$RUNTIME_IMAGE: importing"
    tar --numeric-owner -C "$rootfs" -cf - . |
        docker import \
            --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox' \
            --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
            --change 'ENTRYPOINT ["/busybox/sh"]' \
            --change "LABEL $STAND_IN_LABEL=\"$RUNTIME_IMAGE $SUITE packages $fingerprint\"" \
            - "$RUNTIME_IMAGE" >/dev/null
    cleanup
    WORK_DIR=""
}

# Hard links make the staged build context cost no copy when it sits on the same file system as
# the toolchain; elsewhere it is a plain copy.
stage_tree() {
    cp -al "$1" "$2" 2>/dev/null || { rm -rf "$2"; cp -a "$1" "$2"; }
}

build_builder_stand_in() {
    local fingerprint="$1" context
    [[ -x "$SWIFT_TOOLCHAIN/usr/bin/swift" ]] || die "no Swift toolchain at $SWIFT_TOOLCHAIN/usr/bin/swift"
    [[ -d "$SWIFT_PACKAGE_MIRROR" ]] || die "no Swift package mirror at $SWIFT_PACKAGE_MIRROR"
    new_work_dir
    context="$WORK_DIR/context"
    mkdir -p "$context"
    log "$BUILDER_IMAGE: staging the toolchain from $SWIFT_TOOLCHAIN and the mirror from $SWIFT_PACKAGE_MIRROR"
    stage_tree "$SWIFT_TOOLCHAIN/usr" "$context/toolchain-usr"
    stage_tree "$SWIFT_PACKAGE_MIRROR" "$context/swift-packages"
    cp "$BUILDER_DOCKERFILE" "$context/Dockerfile"
    log "$BUILDER_IMAGE: building (host network, for Debian packages only)"
    run_logged env DOCKER_BUILDKIT=0 docker build --network=host \
        --label "$STAND_IN_LABEL=$BUILDER_IMAGE local-toolchain $fingerprint" \
        --tag "$BUILDER_IMAGE" "$context"
    cleanup
    WORK_DIR=""
}

# ensure_image IMAGE FINGERPRINT_FUNCTION BUILD_FUNCTION
ensure_image() {
    local image="$1" fingerprint_of="$2" build="$3" current="" previous_id="" wanted
    if image_exists "$image"; then
        previous_id="$(docker image inspect --format '{{.Id}}' "$image")"
        current="$(stand_in_fingerprint "$image")"
        if [[ -z "$current" ]]; then
            log "$image: the real image is present; nothing substituted"
            return 0
        fi
    fi
    if [[ "$PULL" == 1 ]] && try_pull "$image"; then
        return 0
    fi
    wanted="$("$fingerprint_of")"
    if [[ "$REBUILD" == false && "$current" == *" $wanted" ]]; then
        log "$image: local stand-in is current ($wanted); kept"
        return 0
    fi
    log "$image: building a local stand-in ($wanted)"
    "$build" "$wanted"
    # The stand-in it replaces is a few GB for the builder; it goes unless an image still uses it.
    if [[ -n "$current" && "$previous_id" != "$(docker image inspect --format '{{.Id}}' "$image")" ]]; then
        docker image rm "$previous_id" >/dev/null 2>&1 || true
    fi
    log "$image: stand-in ready ($(docker image inspect --format '{{.Size}}' "$image" | numfmt --to=si)B)"
}

main() {
    while (($#)); do
        case "$1" in
            --rebuild) REBUILD=true ;;
            --pull) PULL=1 ;;
            -h | --help)
                usage
                return 0
                ;;
            *) die "unknown argument: $1 (see --help)" ;;
        esac
        shift
    done
    docker version >/dev/null 2>&1 || die "no Docker engine answers (start one: scripts/docker-engine.sh)"
    # Two builds on one machine (an image test and a drill) must not import the same tag at once.
    exec 9>"$LOCK_FILE"
    if ! flock --nonblock 9; then
        log "another run holds $LOCK_FILE; waiting for it"
        flock 9
    fi
    trap cleanup EXIT
    ensure_image "$DEBIAN_IMAGE" debian_fingerprint build_debian_stand_in
    ensure_image "$RUNTIME_IMAGE" runtime_fingerprint build_runtime_stand_in
    ensure_image "$BUILDER_IMAGE" builder_fingerprint build_builder_stand_in
}

main "$@"
