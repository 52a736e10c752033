"""The schema tools/infra distils from cdktf-cdktf-provider-aws says what hashicorp/aws 6.25.0 says.

Each fact below is one the stacks rely on, checked against the installed package's jsii assembly
(through the cache the first run builds), so a wrong extraction fails here, not in a stack.
"""

from __future__ import annotations

import json
from importlib import metadata

from tools.infra.schema import distil, load_handwritten_schema, load_schemas

SCHEMAS = load_schemas()


def test_the_schema_comes_from_the_pinned_package():
    assert metadata.version("cdktf-cdktf-provider-aws") == "21.22.1"
    assert SCHEMAS.aws.provider_version == "6.25.0"
    assert len(SCHEMAS.aws.types("resource")) > 1500
    assert len(SCHEMAS.aws.types("data")) > 600


def test_required_and_optional_arguments():
    db = SCHEMAS.lookup("resource", "aws_db_instance")
    assert db.arguments["instance_class"] is True
    assert db.arguments["manage_master_user_password"] is False
    assert "password" in db.arguments and "master_user_secret" not in db.arguments


def test_write_only_arguments_exist():
    version = SCHEMAS.lookup("resource", "aws_secretsmanager_secret_version")
    assert {"secret_string_wo", "secret_string_wo_version"} <= set(version.arguments)
    assert version.arguments["secret_id"] is True


def test_nested_blocks_are_blocks_with_their_own_schema():
    versioning = SCHEMAS.lookup("resource", "aws_s3_bucket_versioning")
    required, single, struct = versioning.blocks["versioning_configuration"]
    assert (required, single) == (True, True)
    assert SCHEMAS.nested(versioning, struct).arguments["status"] is True
    group = SCHEMAS.lookup("resource", "aws_db_parameter_group")
    assert group.blocks["parameter"][:2] == (False, False)  # repeatable


def test_computed_attributes_are_readable_but_not_settable():
    db = SCHEMAS.lookup("resource", "aws_db_instance")
    assert {"address", "endpoint", "master_user_secret"} <= db.attributes
    assert "address" not in db.arguments


def test_provider_and_data_source_schemas():
    provider = SCHEMAS.lookup("provider", "aws")
    assert "default_tags" in provider.blocks and "region" in provider.arguments
    zones = SCHEMAS.lookup("data", "aws_availability_zones")
    assert "names" in zones.attributes and "filter" in zones.blocks


def test_what_the_package_lacks_uses_the_hand_written_schema():
    handwritten = load_handwritten_schema()
    ephemeral = SCHEMAS.lookup("ephemeral", "aws_secretsmanager_random_password")
    assert ephemeral.source == handwritten.source
    assert ephemeral.arguments["password_length"] is False and "random_password" in ephemeral.attributes
    assert SCHEMAS.lookup("data", "terraform_remote_state").arguments["backend"] is True
    assert SCHEMAS.lookup("resource", "tls_private_key") is None  # reported as not schema-checked


def test_distil_reads_names_from_the_registry_anchor():
    assembly = {
        "types": {
            "@p.thing.Thing": {
                "kind": "class",
                "base": "cdktf.TerraformResource",
                "docs": {"summary": "Represents a {@link https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/thing aws_thing}."},
                "initializer": {"parameters": [{"name": "config", "type": {"fqn": "@p.thing.ThingConfig"}}]},
                "properties": [{"name": "arn", "type": {"primitive": "string"}}],
            },
            "@p.thing.ThingConfig": {
                "datatype": True,
                "properties": [
                    {"name": "selfAttribute", "type": {"primitive": "boolean"},
                     "docs": {"summary": "Docs at Terraform Registry: {@link https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/thing#self Thing#self}."}},
                    {"name": "rule", "optional": True,
                     "type": {"collection": {"kind": "array", "elementtype": {"fqn": "@p.thing.ThingRule"}}}},
                ],
            },
            "@p.thing.ThingRule": {"datatype": True, "properties": []},
        }
    }
    compact = distil(assembly)
    thing = compact["resource"]["aws_thing"]
    assert thing["arguments"] == {"self": True}
    assert thing["blocks"] == {"rule": [False, False, "thing.ThingRule"]}
    assert thing["attributes"] == ["arn"]
    assert json.loads(json.dumps(compact))["provider_version"] == "6.25.0"
