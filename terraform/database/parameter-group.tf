# PostgreSQL settings this project depends on, set explicitly rather than inherited:
# - rds.force_ssl = 1: the server refuses connections without TLS (the service connects with
#   DATABASE_TLS=require and the RDS CA bundle);
# - max_connections: the connection budget the ecs stack tests its pool size against
#   (service_max_connections output keeps connections_kept_free of it back);
# - statement logging: DDL, and any statement slower than a second, reach the PostgreSQL log.
locals {
  # Kept back from the service's budget: the slots PostgreSQL and RDS reserve for superusers by
  # default (3 + 2, more on some versions), the admin task, and an operator's psql session.
  connections_kept_free = 10
}

# One group per major version, kept by version: during a major upgrade the group of the version being
# left stays (retained_parameter_group_versions) until the instance has moved to the new one. With
# apply_immediately = false the instance uses the old group until the maintenance window, and RDS
# refuses to delete a group in use (InvalidDBParameterGroupState).
locals {
  parameter_group_versions = toset(concat([var.engine_major_version], var.retained_parameter_group_versions))
}

resource "aws_db_parameter_group" "postgres" {
  for_each = local.parameter_group_versions

  name_prefix = "${local.identifier}-pg${each.key}-"
  family      = "postgres${each.key}"
  description = "${var.project} orders database: TLS only, explicit connection limits, slow-query logging"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "ssl_min_protocol_version"
    value = "TLSv1.2"
  }

  parameter {
    name         = "max_connections"
    value        = tostring(var.max_connections)
    apply_method = "pending-reboot"
  }

  parameter {
    name  = "password_encryption"
    value = "scram-sha-256"
  }

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  # A change to a group's settings that needs a new group creates it before the old one goes.
  lifecycle {
    create_before_destroy = true
  }
}
