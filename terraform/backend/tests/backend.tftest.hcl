# What the backend stack promises, asserted on the values Terraform plans (`terraform test`, run by
# `make infra-check`). The AWS provider is mocked: nothing is created, no credentials are needed.

mock_provider "aws" {
  source = "../mocks/aws"
}

run "state_bucket_is_private_versioned_encrypted_and_tls_only" {
  assert {
    condition     = aws_s3_bucket.state.bucket == "cloud-app-platform-tfstate-123456789012-eu-west-1"
    error_message = "The derived name must be <project>-tfstate-<account id>-<region>."
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.state.block_public_acls &&
      aws_s3_bucket_public_access_block.state.block_public_policy &&
      aws_s3_bucket_public_access_block.state.ignore_public_acls &&
      aws_s3_bucket_public_access_block.state.restrict_public_buckets &&
      one(aws_s3_bucket_ownership_controls.state.rule).object_ownership == "BucketOwnerEnforced"
    )
    error_message = "The state bucket must refuse every public ACL and policy, and own every object."
  }

  assert {
    condition     = one(aws_s3_bucket_versioning.state.versioning_configuration).status == "Enabled"
    error_message = "The state bucket must be versioned, so every state write can be rolled back."
  }

  assert {
    condition = (
      one(one(aws_s3_bucket_server_side_encryption_configuration.state.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms" &&
      one(one(aws_s3_bucket_server_side_encryption_configuration.state.rule).apply_server_side_encryption_by_default).kms_master_key_id == aws_kms_key.state.arn &&
      aws_kms_key.state.enable_key_rotation
    )
    error_message = "State must be encrypted with the stack's own key, which rotates."
  }

  assert {
    condition = anytrue([
      for statement in jsondecode(aws_s3_bucket_policy.state.policy).Statement :
      statement.Effect == "Deny" && statement.Principal == "*" && statement.Action == "s3:*" &&
      statement.Condition == { Bool = { "aws:SecureTransport" = "false" } }
    ])
    error_message = "The bucket policy must deny every request that does not use TLS."
  }

  assert {
    condition     = one([for rule in aws_s3_bucket_lifecycle_configuration.state.rule : one(rule.noncurrent_version_expiration).noncurrent_days]) == 90
    error_message = "Overwritten state versions must be kept noncurrent_version_retention_days (90 by default)."
  }

  assert {
    condition     = aws_s3_bucket.state.force_destroy == false && aws_kms_key.state.deletion_window_in_days == 30
    error_message = "By default the bucket keeps its objects on destroy and the key waits 30 days."
  }

  assert {
    condition     = output.backend_hcl == "bucket     = \"cloud-app-platform-tfstate-123456789012-eu-west-1\"\nregion     = \"eu-west-1\"\nkms_key_id = \"${aws_kms_key.state.arn}\"\n"
    error_message = "backend_hcl must be the shared backend settings the other stacks init with."
  }

  assert {
    condition     = output.state_tfvars == "state_bucket = \"cloud-app-platform-tfstate-123456789012-eu-west-1\"\nstate_region = \"eu-west-1\"\n"
    error_message = "state_tfvars must give the database and ecs stacks the bucket and region the state is in."
  }
}

# S3 allows 63 characters. The longest project name (32) next to the longest region names used to
# give 68; the derived name now shortens the project part and keeps account and region whole.
run "derived_bucket_name_fits_s3_rules_for_the_longest_inputs" {
  variables {
    project    = "a-very-long-project-name-here-32"
    aws_region = "ap-southeast-4"
  }

  assert {
    condition     = length(aws_s3_bucket.state.bucket) <= 63 && can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", aws_s3_bucket.state.bucket))
    error_message = "Bucket name \"${aws_s3_bucket.state.bucket}\" (${length(aws_s3_bucket.state.bucket)} characters) breaks S3's naming rules."
  }

  assert {
    condition     = endswith(aws_s3_bucket.state.bucket, "-tfstate-123456789012-ap-southeast-4") && startswith(aws_s3_bucket.state.bucket, "a-very-long-project-name-he")
    error_message = "Only the project part may be shortened: \"${aws_s3_bucket.state.bucket}\"."
  }
}

run "a_cut_never_leaves_a_hyphen_before_the_suffix" {
  variables {
    project    = "abcdefghijklmnopqrstuvwxyz-abcd"
    aws_region = "ap-southeast-4"
  }

  assert {
    condition     = !strcontains(aws_s3_bucket.state.bucket, "--")
    error_message = "\"${aws_s3_bucket.state.bucket}\" has a doubled hyphen where the project name was cut."
  }
}

run "named_bucket_is_used_as_given" {
  variables {
    state_bucket_name = "example-org-state"
    allow_destroy     = true
  }

  assert {
    condition     = aws_s3_bucket.state.bucket == "example-org-state" && aws_s3_bucket.state.force_destroy
    error_message = "state_bucket_name must be used as given, and allow_destroy must let destroy empty the bucket."
  }
}

# --- Every variable validation refuses a bad value ------------------------------------------------

run "project_must_be_a_short_lowercase_name" {
  command = plan
  variables { project = "x" }
  expect_failures = [var.project]
}

run "region_must_be_a_region_name" {
  command = plan
  variables { aws_region = "EU-WEST-1" }
  expect_failures = [var.aws_region]
}

run "bucket_name_must_follow_s3_rules" {
  command = plan
  variables { state_bucket_name = "Bad_Bucket" }
  expect_failures = [var.state_bucket_name]
}

run "retention_must_be_7_to_3650_days" {
  command = plan
  variables { noncurrent_version_retention_days = 3 }
  expect_failures = [var.noncurrent_version_retention_days]
}

run "key_deletion_window_must_be_7_to_30_days" {
  command = plan
  variables { kms_deletion_window_days = 31 }
  expect_failures = [var.kms_deletion_window_days]
}
