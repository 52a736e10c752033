# Three task roles, each with only what its holder does:
#   execution       ECS itself, starting a service task: pull this repository's images, write this
#                   service's log streams, read the service's database secret.
#   admin_execution the same for the one-off admin task, which also reads the master secret. Kept apart
#                   so the service's tasks can never read the master password.
#   task            the running task's own calls: the collector sidecar writing EMF records to the
#                   metrics log group. The service itself calls no AWS API.

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # Only tasks of this account may assume the roles (confused-deputy guard).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

# The database secrets are encrypted with the database stack's keys: whoever reads a secret decrypts
# it through Secrets Manager, and only that way. Part of every policy that reads one.
data "aws_iam_policy_document" "decrypt_database_secrets" {
  statement {
    sid       = "DecryptDatabaseSecretsViaSecretsManager"
    actions   = ["kms:Decrypt"]
    resources = local.database_secrets_kms_key_arns

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

# --- Execution role of the service's tasks --------------------------------------------------------

resource "aws_iam_role" "execution" {
  name               = "${var.service_name}-execution"
  description        = "ECS starts ${var.service_name} tasks: image pull, log streams, the service database secret"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "execution" {
  name   = "start-service-task"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

data "aws_iam_policy_document" "execution" {
  source_policy_documents = [data.aws_iam_policy_document.decrypt_database_secrets.json]

  # GetAuthorizationToken has no resource-level permissions: "*" is the only resource it accepts.
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PullThisRepository"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [aws_ecr_repository.service.arn]
  }

  # Only with the collector in this account's ECR pull-through cache: the first pull of a tag imports
  # it from ECR Public into that repository, creating the repository when it does not exist yet.
  dynamic "statement" {
    for_each = local.collector_from_private_ecr ? [local.collector_repository_arn] : []

    content {
      sid = "PullCollectorThroughCache"
      actions = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchImportUpstreamImage",
        "ecr:CreateRepository",
      ]
      resources = [statement.value]
    }
  }

  statement {
    sid       = "WriteThisServiceLogStreams"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.service.arn}:*", "${aws_cloudwatch_log_group.collector.arn}:*"]
  }

  statement {
    sid       = "ReadServiceDatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.service_database_secret_arn]
  }
}

# --- Execution role of the one-off admin task -----------------------------------------------------

resource "aws_iam_role" "admin_execution" {
  name               = "${var.service_name}-admin-execution"
  description        = "ECS starts the ${var.service_name} admin task: image pull, log streams, master and service database secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "admin_execution" {
  name   = "start-admin-task"
  role   = aws_iam_role.admin_execution.id
  policy = data.aws_iam_policy_document.admin_execution.json
}

data "aws_iam_policy_document" "admin_execution" {
  source_policy_documents = [data.aws_iam_policy_document.decrypt_database_secrets.json]

  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PullThisRepository"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [aws_ecr_repository.service.arn]
  }

  statement {
    sid       = "WriteAdminLogStreams"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.service.arn}:log-stream:admin/*"]
  }

  statement {
    sid       = "ReadMasterAndServiceDatabaseSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.master_database_secret_arn, local.service_database_secret_arn]
  }
}

# --- Role of the running service task -------------------------------------------------------------

resource "aws_iam_role" "task" {
  name               = "${var.service_name}-task"
  description        = "Calls made by running ${var.service_name} tasks: the collector's EMF records and trace segments"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "task" {
  name   = "publish-service-telemetry"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

data "aws_iam_policy_document" "task" {
  # The collector's awsemf exporter writes EMF records into the pre-created metrics log group;
  # CloudWatch extracts the metrics from them, so no cloudwatch:PutMetricData is needed.
  statement {
    sid = "WriteEmfRecords"
    actions = [
      "logs:CreateLogStream",
      "logs:DescribeLogStreams",
      "logs:PutLogEvents",
    ]
    resources = ["${aws_cloudwatch_log_group.metrics.arn}:*"]
  }

  # The collector's awsxray exporter sends the service's spans as segments. Neither action supports
  # resource-level permissions (the Service Authorization Reference lists no resource type for them),
  # so "*" is the narrowest resource; nothing else of X-Ray is allowed (no reads, no sampling rules).
  statement {
    sid       = "SendTraceSegments"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}
