# The key that encrypts every state object. State holds resource attributes (endpoints, ARNs and,
# for some resources, values that are sensitive), so it gets a key of its own that rotates yearly.
resource "aws_kms_key" "state" {
  description             = "${var.project}: Terraform state in ${local.bucket_name}"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days

  # The account's own IAM policies decide who may use the key (the default key policy, written out
  # so it is reviewed with the code): whoever runs Terraform needs kms:Encrypt/Decrypt/GenerateDataKey.
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

resource "aws_kms_alias" "state" {
  name          = "alias/${var.project}-tfstate"
  target_key_id = aws_kms_key.state.key_id
}
