"""The AWS provider's schema, read from the jsii assembly of `cdktf-cdktf-provider-aws`.

That package (21.22.1, generated from hashicorp/aws 6.25.0) ships `_jsii/*.jsii.tgz`, a JSON
description of every resource, data source and the provider itself:

- a class per resource (base `cdktf.TerraformResource`), data source (`cdktf.TerraformDataSource`)
  and the provider (`cdktf.TerraformProvider`), whose doc link names the Terraform type
  (`.../docs/resources/db_instance` is `aws_db_instance`, `.../docs/data-sources/...` a data
  source) and whose initializer takes a `...Config` struct;
- per struct property: `optional` (absent means required), its type (a struct, or a list of
  structs, is a nested block; anything else is an argument) and a doc link whose anchor is the
  argument's Terraform name (`...#instance_class`). cdktf types the few blocks nested too deeply
  for it (wafv2 rule statements) as `any` with the summary "x block."; they are kept as blocks
  whose content is not checked, and the summary counts them;
- the class's other properties: the attributes a reference may read (`endpoint`, `arn`, ...).

The assembly is 130 MB of JSON, so the first run distils it into a compact cache
(`<venv>/share/infra-schema/`, a few MB) keyed by the package's version; later runs read that.
Providers other than aws come from `handwritten-schemas.json` beside this module (see there).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tarfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

PACKAGE = "cdktf-cdktf-provider-aws"
HANDWRITTEN = Path(__file__).with_name("handwritten-schemas.json")
_CACHE_FORMAT = 3  # bump when the compact layout changes

_REGISTRY_LINK = re.compile(
    r"registry\.terraform\.io/providers/hashicorp/aws/(?P<version>[0-9.]+)/docs"
    r"(?:/(?P<kind>resources|data-sources)/(?P<name>\w+))?(?:#(?P<anchor>\w+))?"
)
_BASES = {
    "cdktf.TerraformResource": "resource",
    "cdktf.TerraformDataSource": "data",
    "cdktf.TerraformProvider": "provider",
}
# Class members that are cdktf machinery, not Terraform attributes.
_NOT_ATTRIBUTES = {"tfResourceType", "fqn", "friendlyUniqueId", "terraformResourceType", "terraformGeneratorMetadata"}


@dataclass(frozen=True)
class BlockSchema:
    """The arguments and nested blocks one block may hold."""

    arguments: dict[str, bool]  # Terraform name -> required
    blocks: dict[str, tuple[bool, bool, str | None]]  # name -> (required, single, struct key or None)
    attributes: frozenset[str]  # names a reference may read (arguments and computed values)
    source: str  # where the schema came from, for messages and the summary


class SchemaSet:
    """Schemas by kind ("resource", "data", "ephemeral", "provider") and Terraform type."""

    def __init__(self, compact: dict, source: str):
        self._compact = compact
        self.source = source
        self.provider_version = compact.get("provider_version", "")

    def lookup(self, kind: str, type_name: str) -> BlockSchema | None:
        entry = self._compact.get(kind, {}).get(type_name)
        if entry is None:
            return None
        return self._block(entry)

    def nested(self, struct_key: str) -> BlockSchema:
        return self._block(self._compact["structs"][struct_key])

    def _block(self, entry: dict) -> BlockSchema:
        return BlockSchema(
            arguments=dict(entry.get("arguments", {})),
            blocks={name: tuple(value) for name, value in entry.get("blocks", {}).items()},
            attributes=frozenset(entry.get("attributes", [])) | frozenset(entry.get("arguments", {}))
            | frozenset(entry.get("blocks", {})),
            source=self.source,
        )

    def types(self, kind: str) -> set[str]:
        return set(self._compact.get(kind, {}))


class Schemas:
    """The AWS schema from the package, and the hand-written ones for what the package lacks."""

    def __init__(self, aws: SchemaSet, handwritten: SchemaSet):
        self.aws = aws
        self.handwritten = handwritten

    def lookup(self, kind: str, type_name: str) -> BlockSchema | None:
        provider = type_name.split("_", 1)[0] if kind != "provider" else type_name
        chosen = self.aws if provider == "aws" else self.handwritten
        # The package describes no ephemeral resource; the AWS provider's few are written by hand.
        return chosen.lookup(kind, type_name) or self.handwritten.lookup(kind, type_name)

    def nested(self, schema: BlockSchema, struct_key: str) -> BlockSchema:
        chosen = self.aws if schema.source == self.aws.source else self.handwritten
        return chosen.nested(struct_key)


def _anchor(docs: dict) -> str | None:
    for text in (docs.get("summary", ""), docs.get("remarks", "")):
        match = _REGISTRY_LINK.search(text)
        if match and match.group("anchor"):
            return match.group("anchor")
    return None


def _snake(name: str) -> str:
    """cdktf's camelCase back to Terraform's snake_case (`ipv6CidrBlock` -> `ipv6_cidr_block`)."""
    if name.endswith("Attribute") and name != "Attribute":
        name = name[: -len("Attribute")]  # cdktf renames `self`, `count`, ... with this suffix
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _struct_of(type_ref: dict, types: dict) -> tuple[str, bool] | None:
    """(struct fqn, single) when the property is a nested block, else None."""
    if "fqn" in type_ref and types.get(type_ref["fqn"], {}).get("datatype"):
        return type_ref["fqn"], True
    if "collection" in type_ref and type_ref["collection"]["kind"] == "array":
        element = type_ref["collection"]["elementtype"]
        if "fqn" in element and types.get(element["fqn"], {}).get("datatype"):
            return element["fqn"], False
    if "union" in type_ref:
        for member in type_ref["union"]["types"]:
            found = _struct_of(member, types)
            if found:
                return found
    return None


def distil(assembly: dict) -> dict:
    """The compact schema of every resource, data source and the provider in a jsii assembly."""
    types = assembly["types"]
    compact: dict = {"resource": {}, "data": {}, "provider": {}, "structs": {}}
    versions: set[str] = set()

    def struct_entry(fqn: str) -> str:
        key = fqn.split(".", 1)[1]  # drop the assembly name
        if key in compact["structs"]:
            return key
        compact["structs"][key] = {}  # placeholder first: structs can be recursive
        arguments, blocks = {}, {}
        for prop in types[fqn].get("properties", []):
            name = _anchor(prop.get("docs", {})) or _snake(prop["name"])
            required = not prop.get("optional", False)
            nested = _struct_of(prop["type"], types)
            if prop["type"] == {"primitive": "any"} and prop.get("docs", {}).get("summary", "").endswith(" block."):
                # cdktf gives blocks nested too deeply (wafv2 rule statements) as `any`: a block
                # whose content this schema cannot check.
                blocks[name] = [required, False, None]
            elif nested:
                blocks[name] = [required, nested[1], struct_entry(nested[0])]
            else:
                arguments[name] = required
        compact["structs"][key] = {"arguments": arguments, "blocks": blocks}
        return key

    for fqn, entry in types.items():
        kind = _BASES.get(entry.get("base", ""))
        if entry.get("kind") != "class" or kind is None:
            continue
        match = _REGISTRY_LINK.search(entry.get("docs", {}).get("summary", ""))
        if not match:
            continue
        versions.add(match.group("version"))
        type_name = "aws" if kind == "provider" else f"aws_{match.group('name')}"
        config = next(p for p in entry["initializer"]["parameters"] if p["name"] == "config")
        struct = compact["structs"][struct_entry(config["type"]["fqn"])]
        getters = {
            _snake(prop["name"])
            for prop in entry.get("properties", [])
            if not prop.get("static")
            and prop["name"] not in _NOT_ATTRIBUTES
            and not prop["name"].endswith("Input")
        }
        compact[kind][type_name] = {
            "arguments": struct["arguments"],
            "blocks": struct["blocks"],
            "attributes": sorted(getters),
        }
    compact["provider_version"] = ",".join(sorted(versions))
    return compact


def _package_assembly() -> tuple[Path, str]:
    """The jsii tarball inside the installed package, and the package's version."""
    try:
        dist = metadata.distribution(PACKAGE)
    except metadata.PackageNotFoundError:
        raise SystemExit(
            f"{PACKAGE} is not installed in {sys.prefix}; run `make venv` (it is pinned in tools/requirements.txt)"
        ) from None
    for file in dist.files or []:
        if file.name.endswith(".jsii.tgz"):
            return Path(dist.locate_file(file)), dist.version
    raise SystemExit(f"{PACKAGE} {dist.version} has no _jsii/*.jsii.tgz")


def cache_dir() -> Path:
    """Where the compact schema is kept: INFRA_SCHEMA_CACHE, else inside the virtual environment."""
    return Path(os.environ.get("INFRA_SCHEMA_CACHE", Path(sys.prefix) / "share" / "infra-schema"))


def _read_assembly(tarball: Path) -> dict:
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/.jsii")
        if member is None:
            raise SystemExit(f"{tarball} holds no package/.jsii")
        return json.load(member)


@lru_cache(maxsize=1)
def load_aws_schema() -> SchemaSet:
    """The compact AWS schema, distilled from the package on first use and cached."""
    tarball, version = _package_assembly()
    digest = hashlib.sha256(f"{_CACHE_FORMAT}:{tarball.stat().st_size}:{version}".encode()).hexdigest()[:12]
    cached = cache_dir() / f"aws-{version}-{digest}.json"
    if cached.exists():
        compact = json.loads(cached.read_text())
    else:
        print(f"schema: distilling {tarball.name} into {cached} (first run only)", file=sys.stderr)
        compact = distil(_read_assembly(tarball))
        cached.parent.mkdir(parents=True, exist_ok=True)
        for stale in cached.parent.glob("aws-*.json"):
            stale.unlink()  # from another package version or cache format
        temporary = cached.with_suffix(".tmp")
        temporary.write_text(json.dumps(compact, separators=(",", ":"), sort_keys=True))
        temporary.replace(cached)
    source = f"hashicorp/aws {compact['provider_version']} ({PACKAGE} {version})"
    return SchemaSet(compact, source)


@lru_cache(maxsize=1)
def load_handwritten_schema() -> SchemaSet:
    compact = json.loads(HANDWRITTEN.read_text())
    return SchemaSet(compact, f"hand-written ({HANDWRITTEN.name})")


def load_schemas() -> Schemas:
    """Both schema sets, ready for lookups."""
    return Schemas(load_aws_schema(), load_handwritten_schema())
