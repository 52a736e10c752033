# One customer-managed key for what this stack stores at rest: the image repository, the log groups
# (service, collector, metrics, WAF) and the alarm topic. It rotates yearly. The access-log bucket
# cannot use it: load balancers deliver logs only to buckets encrypted with S3-managed keys.

resource "aws_kms_key" "service" {
  description             = "${var.service_name}: ECR images, CloudWatch log groups and the alarm topic"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  # In a key policy, Resource "*" means this key.
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      # The account's IAM policies decide who may administer and use the key (AWS's default key
      # policy, written out so it is reviewed with the code).
      {
        Sid       = "AccountIamPoliciesGrantAccess"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      # CloudWatch Logs encrypts and decrypts log groups of this account in this region only (the
      # encryption context names the log group).
      {
        Sid       = "CloudWatchLogsUsesKeyForThisAccount"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "${local.log_group_arn_prefix}:*" }
        }
      },
      # CloudWatch alarms of this account publish to the encrypted SNS topic.
      {
        Sid       = "CloudWatchAlarmsPublishToEncryptedTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
    ]
  })
}

resource "aws_kms_alias" "service" {
  name          = "alias/${var.service_name}"
  target_key_id = aws_kms_key.service.key_id
}

# The CloudFront-scope web ACL logs in us-east-1, and a log group's key must be in the group's region:
# a key of its own there, for that one log group.
resource "aws_kms_key" "edge_logs" {
  count    = local.behind_cloudfront ? 1 : 0
  provider = aws.us_east_1

  description             = "${var.service_name}: the CloudFront web ACL's log group (us-east-1)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.log_group_key["edge_logs"].json
}

# The policy of a key that encrypts one log group (the ECS Exec session log, the CloudFront web ACL's
# log): the account's IAM policies decide who uses it, and CloudWatch Logs in the group's region may
# use it for that group only (the encryption context names the group). In a key policy, Resource "*"
# means the key itself.
locals {
  log_group_keys = merge(
    { exec = { region = local.region, log_group = local.exec_log_group_name } },
    local.behind_cloudfront ? { edge_logs = { region = "us-east-1", log_group = local.waf_log_group } } : {},
  )
}

data "aws_iam_policy_document" "log_group_key" {
  # checkov:skip=CKV_AWS_111:a key policy, not an identity policy: Resource "*" is the key itself, and the statement hands its use to the account's IAM policies (AWS's default key policy)
  # checkov:skip=CKV_AWS_356:a key policy, where "*" names the key the policy is attached to and nothing else
  # checkov:skip=CKV_AWS_109:a key policy: kms:* for the account root lets the account's IAM policies decide, which is AWS's default key policy written out
  for_each = local.log_group_keys

  statement {
    sid       = "AccountIamPoliciesGrantAccess"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsUsesKeyForOneLogGroup"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${each.value.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${each.value.region}:${local.account_id}:log-group:${each.value.log_group}"]
    }
  }
}
