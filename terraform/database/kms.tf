# One key for the database's data at rest: the storage volume and its snapshots, both secrets (the
# RDS-managed master secret and the service user's), and Performance Insights when it is on. The
# ECS execution role decrypts the secrets through Secrets Manager, so the ecs stack grants it
# kms:Decrypt on this key (output secrets_kms_key_arns).
resource "aws_kms_key" "database" {
  description             = "${var.project}: database storage and credentials"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  # The account's own IAM policies decide who may use the key (the default key policy, written
  # out so it is reviewed with the code). RDS and Secrets Manager use it on behalf of a caller.
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
    ]
  })
}

resource "aws_kms_alias" "database" {
  name          = "alias/${var.project}-database"
  target_key_id = aws_kms_key.database.key_id
}
