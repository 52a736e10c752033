# The operator role: the permissions an operator needs for the runbook's way in (docs/operations.md,
# "An operator's session"), held by a role that only the principals in operator_principal_arns may
# assume. It may start the one-off admin task with ECS Exec on, open a shell in its orders-admin
# container (no other container: ecs:container-name) or forward a port through it to the database,
# read the session log, and stop the task. Nothing in the service's tasks: they start with exec off,
# and the container-name condition names a container only the admin task has.

locals {
  operator_role_enabled = length(var.operator_principal_arns) > 0
  # Every task of this cluster (task ARNs name their cluster).
  cluster_tasks_arn = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${aws_ecs_cluster.service.name}/*"
}

data "aws_iam_policy_document" "operator_trust" {
  statement {
    sid     = "NamedOperatorsOfThisAccount"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = var.operator_principal_arns
    }
  }
}

resource "aws_iam_role" "operator" {
  count = local.operator_role_enabled ? 1 : 0

  name                 = "${var.service_name}-operator"
  description          = "Operators of ${var.service_name}: ECS Exec into the one-off admin task, logged"
  assume_role_policy   = data.aws_iam_policy_document.operator_trust.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "operator" {
  count = local.operator_role_enabled ? 1 : 0

  name   = "operate-${var.service_name}-admin-task"
  role   = aws_iam_role.operator[0].id
  policy = data.aws_iam_policy_document.operator.json
}

data "aws_iam_policy_document" "operator" {
  source_policy_documents = [data.aws_iam_policy_document.decrypt_database_secrets.json]

  # run-task of the admin family, in this cluster only.
  statement {
    sid       = "RunTheAdminTaskInThisCluster"
    actions   = ["ecs:RunTask"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${aws_ecs_task_definition.admin.family}:*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [aws_ecs_cluster.service.arn]
    }
  }

  statement {
    sid       = "PassTheAdminTaskRolesToEcsTasksOnly"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.admin_execution.arn, aws_iam_role.admin_task.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  # ExecuteCommand is authorised on the cluster and on the task; the container name is the condition
  # key AWS documents for limiting it to one container.
  statement {
    sid       = "ExecIntoTheAdminContainerOnly"
    actions   = ["ecs:ExecuteCommand"]
    resources = [aws_ecs_cluster.service.arn, local.cluster_tasks_arn]

    condition {
      test     = "StringEquals"
      variable = "ecs:container-name"
      values   = [local.admin_container_name]
    }
  }

  statement {
    sid       = "WatchAndStopTasksOfThisCluster"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask"]
    resources = [local.cluster_tasks_arn]
  }

  # ListTasks is authorised on container instances, which Fargate has none of; the cluster condition
  # holds it to this cluster.
  statement {
    sid       = "ListTasksOfThisCluster"
    actions   = ["ecs:ListTasks"]
    resources = ["*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [aws_ecs_cluster.service.arn]
    }
  }

  # The client encrypts the session channel with a data key of the cluster's exec key.
  statement {
    sid       = "EncryptTheSessionChannel"
    actions   = ["kms:GenerateDataKey"]
    resources = [aws_kms_key.exec.arn]
  }

  statement {
    sid       = "ReadTheSessionAndAdminLogs"
    actions   = ["logs:FilterLogEvents", "logs:GetLogEvents"]
    resources = ["${aws_cloudwatch_log_group.exec.arn}:*", "${aws_cloudwatch_log_group.service.arn}:*"]
  }

  # A port forwarded through the admin task to the database (psql on the operator's machine, TLS
  # verified end to end). Session Manager checks the caller may use the document it names.
  statement {
    sid     = "ForwardAPortThroughTheAdminTask"
    actions = ["ssm:StartSession"]
    resources = [
      local.cluster_tasks_arn,
      "arn:${local.partition}:ssm:${local.region}::document/AWS-StartPortForwardingSessionToRemoteHost",
    ]

    condition {
      test     = "BoolIfExists"
      variable = "ssm:SessionDocumentAccessCheck"
      values   = ["true"]
    }
  }

  # Only the sessions this operator started.
  statement {
    sid       = "EndOwnSessions"
    actions   = ["ssm:TerminateSession", "ssm:ResumeSession"]
    resources = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:session/*"]

    condition {
      test     = "StringLike"
      variable = "ssm:resourceTag/aws:ssmmessages:session-id"
      values   = ["$${aws:userid}"]
    }
  }

  # psql through that port logs in as the master user, like the admin task (decrypted through Secrets
  # Manager: decrypt_database_secrets, iam.tf).
  statement {
    sid       = "ReadTheMasterSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.master_database_secret_arn]
  }
}
