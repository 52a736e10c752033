# What the admin task's own commands call AWS for (the role is admin_task, exec.tf), beside ECS Exec:
#
# - `keys create --to-secretsmanager NAME` / `--to-ssm-parameter NAME` hands a new API key to its
#   operator through a secret or a SecureString parameter, never a log; the task may write those only
#   under `<project>/api-keys/` (docs/operations.md, "API keys"). With the account's default keys
#   (aws/secretsmanager, aws/ssm) no KMS permission is needed; a key named with --kms-key-id must allow
#   this role in its own policy.
# - `admin rotate-service-password` reads the service's database secret and writes its next version
#   (docs/infrastructure.md, "Rotating the service's password"); that secret is encrypted with the
#   database stack's key, used through Secrets Manager only.

locals {
  api_key_secrets_arn    = "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:${var.project}/api-keys/*"
  api_key_parameters_arn = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${var.project}/api-keys/*"
}

resource "aws_iam_role_policy" "admin_task_secrets" {
  name   = "api-keys-and-service-password"
  role   = aws_iam_role.admin_task.id
  policy = data.aws_iam_policy_document.admin_task_secrets.json
}

data "aws_iam_policy_document" "admin_task_secrets" {
  statement {
    sid       = "HandApiKeysToOperatorsInSecrets"
    actions   = ["secretsmanager:CreateSecret", "secretsmanager:PutSecretValue"]
    resources = [local.api_key_secrets_arn]
  }

  statement {
    sid       = "HandApiKeysToOperatorsInParameters"
    actions   = ["ssm:PutParameter"]
    resources = [local.api_key_parameters_arn]
  }

  statement {
    sid       = "RotateTheServicePassword"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]
    resources = [local.service_database_secret_arn]
  }

  statement {
    sid       = "EncryptTheServiceSecretViaSecretsManager"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = local.database_secrets_kms_key_arns

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}
