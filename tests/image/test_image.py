"""What the built image declares and contains, read with docker inspect, history and short runs.

The short runs use --network=none: listing files and libraries needs no network at all.
"""

from __future__ import annotations

import functools
import re

import pytest

from image_support import (
    ADDED_ABOVE_RUNTIME_FILES_BOUND_MB,
    BINARY,
    CONTAINER_PORT,
    IMAGE_USER,
    MAX_ADDED_ABOVE_RUNTIME_FILES_MB,
    MAX_IMAGE_MB,
    MB,
    NANOSECONDS,
    RUNTIME_FILES_BOUND_MB,
    RUNTIME_PACKAGES,
    TIMINGS,
    docker,
    image_under_test,
    runtime_files_image,
)

# Anything that compiles, links or fetches source. None of it may reach the runtime stage.
BUILD_TOOLS = ["swift", "swiftc", "clang", "gcc", "cc", "c++", "ld", "as", "strip", "make", "git", "pkg-config"]
BUILD_PACKAGES = re.compile(r"^(gcc|g\+\+|cpp|binutils|git|make|libc6-dev|libstdc\+\+-\d+-dev|.*-dev|pkg-config)$")
BUILD_WORDS = re.compile(r"\b(swift build|swiftc|gcc|g\+\+|clang|binutils|build-essential|git|make)\b")
# LABEL adds metadata, no files; its values (the source URL may be a path ending in .git) are not contents.
# Docker prefixes the line with the base's shell (/bin/sh or /busybox/sh), so any shell is accepted.
METADATA_ONLY = re.compile(r"^(\S+ -c #\(nop\)\s+)?LABEL\b")


# The image's shell: busybox, under /busybox as in distroless's debug variant (/bin/sh links to it).
BASE_SHELL = "/busybox/sh"
# glibc's dynamic loader lists what a binary loads, as ldd does; the image carries no ldd.
LOADER = "/lib64/ld-linux-x86-64.so.2"


def run_in(image: str, *command: str, entrypoint: str = BASE_SHELL) -> str:
    result = docker("run", "--rm", "--network=none", "--read-only", "--entrypoint", entrypoint, image, *command)
    return result.stdout


def run_in_image(*command: str, entrypoint: str = BASE_SHELL) -> str:
    return run_in(image_under_test(), *command, entrypoint=entrypoint)


def installed_packages(image: str) -> list[str]:
    """The packages the image records, one control file each under /var/lib/dpkg/status.d."""
    return sorted(run_in(image, "-c", "cat /var/lib/dpkg/status.d/* | sed -n 's/^Package: //p'").split())


@functools.cache
def loader_listing(image: str) -> str:
    """What glibc's loader in the image prints for the binary (`--list`), read once per run."""
    return run_in(image, "--list", BINARY, entrypoint=LOADER)


def loaded_libraries(image: str) -> list[str]:
    """The paths glibc's loader resolves for the binary in the image, itself included."""
    resolved = [line.split("=>")[1].split()[0] for line in loader_listing(image).splitlines() if "=>" in line]
    return sorted({*resolved, LOADER})


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


@functools.cache
def runtime_history() -> list[str]:
    """The `created by` lines of the image's layers, newest first: all of them are the runtime stage's,
    since it starts from scratch."""
    return docker("history", "--no-trunc", "--format", "{{.CreatedBy}}", image_under_test()).stdout.splitlines()


@functools.cache
def layer_sizes() -> list[int]:
    """The size in bytes of each layer, newest first, in the order of runtime_history()."""
    output = docker("history", "--human=false", "--format", "{{.Size}}", image_under_test()).stdout
    return [int(size) for size in output.split()]


def test_history_shows_no_build_tools_in_runtime_layers(image: dict) -> None:
    history = runtime_history()
    assert "COPY" in history[-1], f"the first layer is not the runtime files: {history[-1]}"
    contents = [line for line in history if not METADATA_ONLY.match(line)]
    offenders = [line for line in contents if BUILD_WORDS.search(line.replace("orders-service", ""))]
    assert offenders == []


def test_runtime_stage_installs_no_package(image: dict, files_image: dict) -> None:
    """No package manager runs in the runtime stage; the package records are those the source image
    holds for the packages the runtime files come from, unchanged, and zlib's from the builder."""
    assert not any("apt-get" in line for line in runtime_history())
    source_records = run_in(runtime_files_image(), "-c", "ls /var/lib/dpkg/status.d").split()
    expected = sorted({
        *(record for record in source_records if re.split(r"[.:_]", record)[0] in RUNTIME_PACKAGES),
        "zlib1g",
    })
    assert run_in_image("-c", "ls /var/lib/dpkg/status.d").split() == expected
    from_source = " ".join(f"/var/lib/dpkg/status.d/{record}" for record in expected if record != "zlib1g")
    assert run_in_image("-c", f"cat {from_source}") == run_in(runtime_files_image(), "-c", f"cat {from_source}")
    assert set(installed_packages(image_under_test())) <= set(RUNTIME_PACKAGES)
    assert "Version:" in run_in_image("-c", "cat /var/lib/dpkg/status.d/zlib1g")


def test_the_image_holds_only_what_the_binary_loads_and_reads(image: dict, files_image: dict, figures: dict) -> None:
    """Every file outside busybox, the time zone rules, package records and licences is on this list;
    a file added to the runtime files without a reason fails here."""
    trees = (
        "/busybox/",
        "/usr/share/zoneinfo/",
        "/usr/share/doc/",
        "/usr/share/common-licenses/",
        "/var/lib/dpkg/status.d/",
        "/etc/orders-service/",
    )
    # The engine's own files in every container: its marker, the three bind-mounted name files and the
    # /etc/mtab link it creates.
    engine_files = {"/.dockerenv", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/etc/mtab"}
    listed = run_in_image("-c", "find / -xdev \\( -type f -o -type l \\) -print").split()
    others = sorted(path for path in listed if not path.startswith(trees) and path not in engine_files)
    # Copied only where the source image has it.
    optional_present = run_in(runtime_files_image(), "-c", "ls /etc/debian_version 2>/dev/null; true").split()
    expected = sorted({
        *loaded_libraries(image_under_test()),
        BINARY,
        "/bin/sh",
        *optional_present,
        "/etc/group",
        "/etc/nsswitch.conf",
        "/etc/os-release",
        "/etc/passwd",
        "/etc/ssl/certs/ca-certificates.crt",
    })
    assert others == expected
    figures["files outside the listed trees"] = str(len(others))


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


def test_the_one_library_the_source_image_lacks_is_zlib_with_its_copyright(image: dict, files_image: dict) -> None:
    """zlib (for the trace exporter's HTTP client) is copied from the builder, which runs the same Debian
    release; everything else the binary loads comes from the runtime files' source image, and zlib's
    licence comes along."""
    paths = loaded_libraries(image_under_test())
    probe = " ".join(f"test -e {path} || echo {path};" for path in paths)
    missing_from_base = run_in(runtime_files_image(), "-c", f"{probe} true").split()
    assert [path.rsplit("/", 1)[1] for path in missing_from_base] == ["libz.so.1"], missing_from_base
    assert "zlib" in run_in_image("-c", "head -c 2000 /usr/share/doc/zlib1g/copyright").lower()


def test_every_shared_library_the_binary_needs_is_present(image: dict, figures: dict) -> None:
    output = loader_listing(image_under_test())
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


def test_image_size_has_not_grown(image: dict, figures: dict) -> None:
    size, sizes, history = image["Size"], layer_sizes(), runtime_history()
    runtime_files, added = sizes[-1], size - sizes[-1]
    binary = int(run_in_image("-c", f"stat -c %s {BINARY}"))
    figures["image size"] = f"{size / MB:.1f} MB (target < {MAX_IMAGE_MB} MB, uncompressed)"
    figures["runtime files (the first layer)"] = f"{runtime_files / MB:.1f} MB (bound {RUNTIME_FILES_BOUND_MB} MB)"
    figures["added above the runtime files"] = f"{added / MB:.1f} MB (target < {MAX_ADDED_ABOVE_RUNTIME_FILES_MB} MB)"
    figures["binary size"] = f"{binary / MB:.1f} MB (stripped)"
    assert "COPY" in history[-1]
    assert runtime_files < RUNTIME_FILES_BOUND_MB * MB
    assert added < ADDED_ABOVE_RUNTIME_FILES_BOUND_MB * MB


def test_image_within_target(image: dict) -> None:
    assert image["Size"] < MAX_IMAGE_MB * MB


@pytest.mark.xfail(
    strict=True,
    reason="KNOWN GAP: ICU data (34 MB) comes with Foundation, referenced by PostgresNIO and swift-otel; "
    "the trace exporter adds 9 MB",
)
def test_added_above_the_runtime_files_within_target(image: dict) -> None:
    """Strict: the day it passes, the run fails until the known-gap marker is removed."""
    assert image["Size"] - layer_sizes()[-1] < MAX_ADDED_ABOVE_RUNTIME_FILES_MB * MB
