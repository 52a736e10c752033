# The service's own database credentials. The service never logs in as the master user: RDS
# rotates that password every 7 days and ECS reads secrets only when a task starts, so tasks
# holding it would fail at the first rotation. The one-off admin task (ecs stack) logs in as the
# master user and creates the service's roles: a group role (service_username) that owns the
# service's schema, and two login roles, <service_username>_a and _b, members of it, that take
# turns. The secret names the login in use.
#
# Terraform writes the secret once, naming the first login with a generated password. Rotations
# write later versions: `orders-service admin rotate-service-password` sets a new password on the
# login not in use, then names it here, so every task, running or starting, holds a login the
# database accepts (docs/infrastructure.md, "Rotating the service's password"). Terraform never
# writes the secret again, so an apply cannot undo a rotation.
#
# The password never lands in Terraform state: it is an ephemeral value (never stored) written
# through a write-only argument (never stored).

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
  # checkov:skip=CKV2_AWS_57:Rotated by the admin task's rotate-service-password, which alternates two login roles so running tasks keep a valid login; a rotation Lambda that changes the one password in use would fail tasks, which read the secret only at start.
  # A prefix: a deleted secret keeps its name for its recovery window, and a stack created again within
  # it gets a name of its own instead of failing (InvalidRequestException: scheduled for deletion).
  name_prefix             = "${var.project}/database/${var.service_username}-"
  description             = "PostgreSQL credentials of the orders service's own role (JSON: username, password)"
  kms_key_id              = aws_kms_key.database.arn
  recovery_window_in_days = var.allow_destroy ? 0 : 30
}

locals {
  # The two login roles that take turns; the secret's first version names the first.
  service_login_roles = ["${var.service_username}_a", "${var.service_username}_b"]
}

resource "aws_secretsmanager_secret_version" "service_user" {
  secret_id = aws_secretsmanager_secret.service_user.id
  secret_string_wo = jsonencode({
    username = local.service_login_roles[0]
    password = ephemeral.aws_secretsmanager_random_password.service.random_password
  })
  # Written once: the rotations' versions are the admin task's, and a write-only value is never read
  # back, so Terraform neither sees nor undoes them.
  secret_string_wo_version = 1
}
