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

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountIamPoliciesGrantAccess"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsUsesKeyForTheWafLogGroup"
        Effect    = "Allow"
        Principal = { Service = "logs.us-east-1.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          ArnEquals = { "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:us-east-1:${local.account_id}:log-group:${local.waf_log_group}" }
        }
      },
    ]
  })
}
