"""The README's configuration table is the service's: every environment variable the source reads is
listed, nothing listed is unread, and the timing defaults it states are config/timings.json's."""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "app" / "Sources"
# Every setting is read through a SettingsReader: `settings.integer("HTTP_PORT", ...)`,
# `settings.choice(\n"STORE", ...)`, or a helper given the reader: `Self.host(settings, "HTTP_HOST", ...)`.
SETTING_READ = re.compile(r'\bsettings(?:\.[a-zA-Z]+\(|,)\s*"([A-Z][A-Z0-9_]*)"')
# A row of the README's table: | `NAME` (, `NAME`) | default | meaning |
TABLE_ROW = re.compile(r"^\| ((?:`[A-Z][A-Z0-9_]+`(?:, )?)+) \|([^|]*)\|", re.MULTILINE)
# README variable -> the config/timings.json entry its default must equal.
TIMING_DEFAULTS = {
    "DRAIN_DELAY_SECONDS": "drain_delay_seconds",
    "SHUTDOWN_TIMEOUT_SECONDS": "shutdown_timeout_seconds",
    "HTTP_IDLE_TIMEOUT_SECONDS": "keep_alive_idle_timeout_seconds",
    "REQUEST_TIMEOUT_SECONDS": "request_timeout_seconds",
}


def read_by_the_service() -> set[str]:
    names: set[str] = set()
    for source in SOURCES.rglob("*.swift"):
        names.update(SETTING_READ.findall(source.read_text(encoding="utf-8")))
    return names


def readme_table() -> dict[str, str]:
    """Variable name -> the default column, from the README's Configuration section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    table: dict[str, str] = {}
    for names, default in TABLE_ROW.findall(section):
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", names):
            table[name] = default.strip().strip("`")
    return table


def test_every_variable_the_service_reads_is_in_the_readme_and_no_other():
    read = read_by_the_service()
    documented = set(readme_table())
    assert len(read) >= 20, f"only {sorted(read)} found in {SOURCES}: has the source moved?"
    assert sorted(read - documented) == [], "read by the service, missing from the README's table"
    assert sorted(documented - read) == [], "in the README's table, read nowhere in the service"


def test_timing_defaults_in_the_readme_are_the_shared_timings():
    timings = json.loads((ROOT / "config" / "timings.json").read_text(encoding="utf-8"))
    table = readme_table()
    stated = {name: table.get(name) for name in TIMING_DEFAULTS}
    expected = {name: str(timings[key]) for name, key in TIMING_DEFAULTS.items()}
    assert stated == expected
