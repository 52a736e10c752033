# ECS Exec, the operators' way into the VPC: an interactive shell in the one-off admin task (never in
# the service's tasks, which start with exec off), or a port forwarded through it to the database
# (docs/operations.md, "An operator's session"). Three parts:
#   the cluster's exec settings (cluster.tf)  the channel encrypted with the key below, every shell
#                                             session's input and output logged to the group below;
#   the admin task's role (here)              what the agent in the container needs: the channel, the
#                                             session log, the key;
#   the operator role (operator.tf)           who may start such a task and open a session in it.

# Its policy lets IAM decide who uses it (the admin task's role decrypts the channel, the operator role
# generates its data keys) and CloudWatch Logs encrypt the session log (kms.tf, log_group_key).
resource "aws_kms_key" "exec" {
  description             = "${var.service_name}: ECS Exec session channel and session log"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.log_group_key["exec"].json
}

resource "aws_kms_alias" "exec" {
  name          = "alias/${var.service_name}-exec"
  target_key_id = aws_kms_key.exec.key_id
}

locals {
  exec_log_group_name = "/ecs/${var.service_name}/exec"
}

# An audit record of who typed what in the admin task: kept a year at least.
resource "aws_cloudwatch_log_group" "exec" {
  name              = local.exec_log_group_name
  retention_in_days = max(var.log_retention_days, 365)
  kms_key_id        = aws_kms_key.exec.arn
}

# --- Role of the running admin task ---------------------------------------------------------------

resource "aws_iam_role" "admin_task" {
  name               = "${var.service_name}-admin-task"
  description        = "The ${var.service_name} admin task's own calls: the ECS Exec agent's channel and session log, API keys handed to operators, the service password's rotation"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "admin_task" {
  name   = "ecs-exec-sessions"
  role   = aws_iam_role.admin_task.id
  policy = data.aws_iam_policy_document.admin_task.json
}

# What AWS documents for ECS Exec with an encrypted channel and CloudWatch logging.
data "aws_iam_policy_document" "admin_task" {
  # Systems Manager's message channels have no resource-level permissions: "*" is the only resource.
  statement {
    sid = "OpenTheSessionChannel"
    actions = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "DecryptTheSessionChannel"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.exec.arn]
  }

  # The agent checks that the session log group exists and is encrypted before a session starts;
  # DescribeLogGroups accepts no narrower resource.
  statement {
    sid       = "FindTheSessionLogGroup"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["*"]
  }

  statement {
    sid       = "WriteTheSessionLog"
    actions   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.exec.arn}:*"]
  }
}
