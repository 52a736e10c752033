# The state bucket: versioned (every state write can be rolled back), KMS-encrypted, never public,
# TLS only. Locking needs no table: Terraform >= 1.11 writes a lock object next to the state
# (use_lockfile = true), and every stack requires >= 1.11, so a DynamoDB lock table would serve
# no Terraform that can run these stacks.
resource "aws_s3_bucket" "state" {
  # checkov:skip=CKV_AWS_18:Server access logs would need a second bucket; who read or wrote state is recorded by CloudTrail S3 data events, an account-wide trail this stack does not own.
  # checkov:skip=CKV_AWS_144:State is small, versioned and re-creatable by import; a cross-region replica is an account-wide disaster-recovery decision, not part of this stack.
  # checkov:skip=CKV2_AWS_62:Nothing consumes state-write events; notifications without a consumer add no control.
  bucket        = local.bucket_name
  force_destroy = var.allow_destroy

  lifecycle {
    # S3's naming rules (3-63 characters; lowercase letters, digits, dots and hyphens; a letter or
    # digit at both ends), checked before S3 is asked.
    precondition {
      condition     = length(local.bucket_name) <= 63 && can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", local.bucket_name))
      error_message = "The state bucket name \"${local.bucket_name}\" breaks S3's naming rules (3-63 characters, lowercase letters, digits, dots, hyphens)."
    }
  }
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }
  }
}

# Old state versions are the undo history; they expire after a retention window. Lock objects are
# written and deleted on every run, so their delete markers are cleaned up as well.
resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "expire-noncurrent-state"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    expiration {
      expired_object_delete_marker = true
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.state]
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "DenyTlsOlderThan12"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
        Condition = { NumericLessThan = { "s3:TlsVersion" = "1.2" } }
      },
    ]
  })

  # A policy attached before the public access block could be judged public; order them.
  depends_on = [aws_s3_bucket_public_access_block.state]
}
