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
