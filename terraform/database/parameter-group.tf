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

resource "aws_db_parameter_group" "postgres" {
  name_prefix = "${local.identifier}-pg${var.engine_major_version}-"
  family      = "postgres${var.engine_major_version}"
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

  # A new major version needs a new group (another family); create it before the old one goes.
  lifecycle {
    create_before_destroy = true
  }
}
