"""What the built image declares and contains, read with docker inspect, history and short runs.

The short runs use --network=none: listing files and libraries needs no network at all.
"""

from __future__ import annotations

import re

import pytest

from image_support import (
    ADDED_ABOVE_BASE_REGRESSION_BOUND_MB,
    BINARY,
    IMAGE_REGRESSION_BOUND_MB,
    CONTAINER_PORT,
    IMAGE_USER,
    MAX_ADDED_ABOVE_BASE_MB,
    MAX_IMAGE_MB,
    MB,
    NANOSECONDS,
    TIMINGS,
    docker,
    image_under_test,
    runtime_base_image,
)

# Anything that compiles, links or fetches source. None of it may reach the runtime stage.
BUILD_TOOLS = ["swift", "swiftc", "clang", "gcc", "cc", "c++", "ld", "as", "strip", "make", "git", "pkg-config"]
BUILD_PACKAGES = re.compile(r"^(gcc|g\+\+|cpp|binutils|git|make|libc6-dev|libstdc\+\+-\d+-dev|.*-dev|pkg-config)$")
BUILD_WORDS = re.compile(r"\b(swift build|swiftc|gcc|g\+\+|clang|binutils|build-essential|git|make)\b")
# LABEL adds metadata, no files; its values (the source URL may be a path ending in .git) are not contents.
# Docker prefixes the line with the base's shell (/bin/sh or /busybox/sh), so any shell is accepted.
METADATA_ONLY = re.compile(r"^(\S+ -c #\(nop\)\s+)?LABEL\b")


# The base's shell: busybox, under /busybox in distroless's debug variant (the image adds /bin/sh).
BASE_SHELL = "/busybox/sh"
# glibc's dynamic loader lists what a binary loads, as ldd does; the image carries no ldd.
LOADER = "/lib64/ld-linux-x86-64.so.2"


def run_in(image: str, *command: str, entrypoint: str = BASE_SHELL) -> str:
    result = docker("run", "--rm", "--network=none", "--read-only", "--entrypoint", entrypoint, image, *command)
    return result.stdout


def run_in_image(*command: str, entrypoint: str = BASE_SHELL) -> str:
    return run_in(image_under_test(), *command, entrypoint=entrypoint)


def installed_packages(image: str) -> list[str]:
    """The packages distroless records, one control file each under /var/lib/dpkg/status.d."""
    return sorted(run_in(image, "-c", "cat /var/lib/dpkg/status.d/* | sed -n 's/^Package: //p'").split())


def test_declares_the_contract(image: dict) -> None:
    config = image["Config"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert config["User"] == IMAGE_USER
    assert config["Entrypoint"] == [BINARY]
    assert not config["Cmd"], "serve is the default mode: no arguments"
    assert env["HTTP_HOST"] == "0.0.0.0"
    assert env["SQLITE_PATH"] == "/data/orders.sqlite"
    assert set(config["ExposedPorts"]) == {f"{CONTAINER_PORT}/tcp"}
    # The writable paths are volumes: on Fargate a bind mount takes a declared volume's ownership and
    # mode, and is root-owned 0755 anywhere else (tests/infra/plans holds the task definitions to this).
    assert set(config["Volumes"]) == {"/data", "/tmp"}


def test_every_volume_is_writable_by_the_image_user(image: dict) -> None:
    uid = IMAGE_USER.split(":")[0]
    for path in sorted(image["Config"]["Volumes"]):
        owner, mode = run_in_image("-c", f"stat -c '%u %a' {path}").split()
        writable = (owner == uid and int(mode, 8) & 0o200) or int(mode, 8) & 0o002
        assert writable, f"{path} is owned by {owner} with mode {mode}: user {uid} cannot write it"


def test_healthcheck_runs_the_binary_with_the_timing_source_values(image: dict) -> None:
    check = image["Config"]["Healthcheck"]
    assert check["Test"] == ["CMD", BINARY, "healthcheck"]
    assert check["Interval"] == TIMINGS["container_health_check_interval_seconds"] * NANOSECONDS
    assert check["Timeout"] == TIMINGS["container_health_check_timeout_seconds"] * NANOSECONDS
    assert check["Retries"] == TIMINGS["container_health_check_retries"]
    assert check["StartPeriod"] == TIMINGS["container_health_check_start_period_seconds"] * NANOSECONDS


def test_carries_oci_labels(image: dict) -> None:
    labels = image["Config"]["Labels"] or {}
    for name in ("source", "revision", "version", "title"):
        assert f"org.opencontainers.image.{name}" in labels, name
    assert labels["org.opencontainers.image.title"] == "orders-service"


def runtime_history(image: dict, base_image: dict) -> list[str]:
    """The `created by` lines of the layers the Dockerfile's runtime stage adds above its base."""
    lines = docker("history", "--no-trunc", "--format", "{{.CreatedBy}}", image_under_test()).stdout.splitlines()
    base_count = len(docker("history", "--quiet", runtime_base_image()).stdout.splitlines())
    return lines[: len(lines) - base_count]


def test_history_shows_no_build_tools_in_runtime_layers(image: dict, base_image: dict) -> None:
    history = runtime_history(image, base_image)
    assert any("/etc/passwd" in line for line in history), "the runtime stage's layers were not found"
    contents = [line for line in history if not METADATA_ONLY.match(line)]
    offenders = [line for line in contents if BUILD_WORDS.search(line.replace("orders-service", ""))]
    assert offenders == []


def test_runtime_stage_installs_no_package(image: dict, base_image: dict) -> None:
    """No package manager runs in the runtime stage: the one library the base lacks comes in as a file."""
    assert not any("apt-get" in line for line in runtime_history(image, base_image))
    assert installed_packages(image_under_test()) == installed_packages(runtime_base_image())


def test_trust_store_and_time_zone_rules_are_present(image: dict) -> None:
    certificates = run_in_image("-c", "grep -c 'BEGIN CERTIFICATE' /etc/ssl/certs/ca-certificates.crt")
    assert int(certificates) > 100
    zones = run_in_image("-c", "ls /usr/share/zoneinfo/UTC /usr/share/zoneinfo/Europe/Berlin").split()
    assert zones == ["/usr/share/zoneinfo/Europe/Berlin", "/usr/share/zoneinfo/UTC"]


def test_names_resolve_from_local_files_before_dns(image: dict) -> None:
    """Without /etc/nsswitch.conf glibc asks DNS before /etc/hosts, even for `localhost`."""
    assert run_in_image("-c", "sed -n 's/^hosts: *//p' /etc/nsswitch.conf").split() == ["files", "dns"]


def test_no_build_tool_on_the_runtime_path(image: dict) -> None:
    probe = " ".join(f"command -v {tool};" for tool in BUILD_TOOLS)
    assert run_in_image("-c", f"{probe} true").split() == []
    packages = installed_packages(image_under_test())
    assert [package for package in packages if BUILD_PACKAGES.match(package)] == []


def test_the_one_library_the_base_lacks_is_zlib_with_its_copyright(image: dict) -> None:
    """zlib (for the trace exporter's HTTP client) is copied from the builder, which runs the same Debian
    release; nothing else the binary loads comes from outside the base, and zlib's licence comes along."""
    output = run_in_image("--list", BINARY, entrypoint=LOADER)
    paths = sorted({line.split("=>")[1].split()[0] for line in output.splitlines() if "=>" in line})
    probe = " ".join(f"test -e {path} || echo {path};" for path in paths)
    missing_from_base = run_in(runtime_base_image(), "-c", f"{probe} true").split()
    assert [path.rsplit("/", 1)[1] for path in missing_from_base] == ["libz.so.1"], missing_from_base
    assert "zlib" in run_in_image("-c", "head -c 2000 /usr/share/doc/zlib1g/copyright").lower()


def test_every_shared_library_the_binary_needs_is_present(image: dict, figures: dict) -> None:
    output = run_in_image("--list", BINARY, entrypoint=LOADER)
    assert "not found" not in output, output
    libraries = sorted({line.split()[0] for line in output.splitlines() if ".so" in line})
    figures["shared libraries"] = " ".join(libraries)
    assert not any(name.startswith(("libswift", "libFoundation", "libdispatch")) for name in libraries), (
        "the Swift runtime must be linked statically"
    )


def test_the_admin_tasks_shell_line_runs_the_binary(image: dict) -> None:
    """The admin task definition starts its command with /bin/sh -c (terraform/ecs/admin-task.tf)."""
    usage = run_in_image("-c", f"exec {BINARY} admin --help", entrypoint="/bin/sh")
    assert "bootstrap-database" in usage


def test_image_size_has_not_grown(image: dict, base_image: dict, figures: dict) -> None:
    size, added = image["Size"], image["Size"] - base_image["Size"]
    binary = int(run_in_image("-c", f"stat -c %s {BINARY}"))
    figures["image size"] = f"{size / MB:.1f} MB (target < {MAX_IMAGE_MB} MB, uncompressed)"
    figures[f"added above {runtime_base_image()}"] = (
        f"{added / MB:.1f} MB (target < {MAX_ADDED_ABOVE_BASE_MB} MB; base {base_image['Size'] / MB:.1f} MB)"
    )
    figures["binary size"] = f"{binary / MB:.1f} MB (stripped)"
    assert size < IMAGE_REGRESSION_BOUND_MB * MB


@pytest.mark.xfail(
    strict=True,
    reason="KNOWN GAP: ICU data (34 MB, with Foundation) and the trace exporter (9 MB) keep the image over 110 MB",
)
def test_image_within_target(image: dict) -> None:
    """Strict: the day it passes, the run fails until the known-gap marker is removed."""
    assert image["Size"] < MAX_IMAGE_MB * MB


def test_added_above_base_has_not_grown(image: dict, base_image: dict) -> None:
    assert image["Size"] - base_image["Size"] < ADDED_ABOVE_BASE_REGRESSION_BOUND_MB * MB


@pytest.mark.xfail(
    strict=True,
    reason="KNOWN GAP: ICU data (34 MB) comes with Foundation, imported by PostgresNIO and swift-crypto; "
    "the trace exporter adds 9 MB",
)
def test_added_above_base_within_target(image: dict, base_image: dict) -> None:
    """Strict: the day it passes, the run fails until the known-gap marker is removed."""
    assert image["Size"] - base_image["Size"] < MAX_ADDED_ABOVE_BASE_MB * MB
