# Local stand-in for swift:6.3-bookworm, built by scripts/offline-base-images.sh when the official
# image cannot be pulled. The build context it receives holds:
#   toolchain-usr/    the Swift toolchain installed on the machine (its usr/ tree)
#   swift-packages/   bare git mirrors of github.com/OWNER/REPO.git for the package dependencies
# The official image is debian:12 plus the packages below plus the toolchain unpacked into /usr;
# this one starts from the (stand-in) slim runtime image instead, so it carries no documentation.
FROM debian:bookworm-slim

# The package list of the official Swift Debian 12 image: what the compiler, the linker and
# Foundation need at build time. Recommended packages come along, as they do there.
# hadolint ignore=DL3008,DL3015
RUN export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
    && apt-get -q update \
    && apt-get -q install -y \
        binutils \
        gcc \
        git \
        libcurl4-openssl-dev \
        libedit-dev \
        libicu-dev \
        libncurses-dev \
        libpython3-dev \
        libsqlite3-dev \
        libstdc++-12-dev \
        libxml2-dev \
        pkg-config \
        tzdata \
        uuid-dev \
    && rm -rf /var/lib/apt/lists/*

COPY toolchain-usr/ /usr/

# SwiftPM clones dependencies with git; these rules send GitHub URLs to the local mirror, so
# `swift package resolve` needs no network inside image builds.
COPY swift-packages/ /opt/swift-packages/
RUN git config --system url./opt/swift-packages/.insteadOf https://github.com/ \
    && git config --system --add url./opt/swift-packages/.insteadOf git@github.com: \
    && git config --system --add url./opt/swift-packages/.insteadOf ssh://git@github.com/ \
    && swift --version

CMD ["bash"]
