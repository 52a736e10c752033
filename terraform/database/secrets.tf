# The service's own database credentials. The service never logs in as the master user: RDS
# rotates that password every 7 days and ECS reads secrets only when a task starts, so tasks
# holding it would fail at the first rotation. The one-off admin task (ecs stack) logs in as the
# master user once, creates the role below with this password and gives it the service's schema.
#
# The password never lands in Terraform state: it is an ephemeral value (never stored) written
# through a write-only argument (never stored). Terraform writes it again only when
# service_password_version changes; that is the rotation procedure (docs/infrastructure.md).

# Secrets Manager's GetRandomPassword, as an ephemeral value: generated on each apply that needs it,
# never written to state or plan.
ephemeral "aws_secretsmanager_random_password" "service" {
  password_length = 40
  # Characters safe in a connection URL and in a shell, so no consumer needs to escape them: letters,
  # digits and "-_.~" (every other punctuation character of GetRandomPassword is excluded).
  exclude_characters         = "!\"#$%&'()*+,/:;<=>?@[\\]^`{|}"
  require_each_included_type = true
}

resource "aws_secretsmanager_secret" "service_user" {
  # checkov:skip=CKV2_AWS_57:Rotated by the documented procedure (new value, then a forced ECS deployment); a rotation Lambda would change the password under running tasks, which read it only at start.
  # A prefix: a deleted secret keeps its name for its recovery window, and a stack created again within
  # it gets a name of its own instead of failing (InvalidRequestException: scheduled for deletion).
  name_prefix             = "${var.project}/database/${var.service_username}-"
  description             = "PostgreSQL credentials of the orders service's own role (JSON: username, password)"
  kms_key_id              = aws_kms_key.database.arn
  recovery_window_in_days = var.allow_destroy ? 0 : 30
}

resource "aws_secretsmanager_secret_version" "service_user" {
  secret_id = aws_secretsmanager_secret.service_user.id
  secret_string_wo = jsonencode({
    username = var.service_username
    password = ephemeral.aws_secretsmanager_random_password.service.random_password
  })
  secret_string_wo_version = var.service_password_version
}
