# PostgreSQL settings this project depends on, set explicitly rather than inherited:
# - rds.force_ssl = 1: the server refuses connections without TLS (the service connects with
#   DATABASE_TLS=require and the RDS CA bundle);
# - max_connections and the two reserved-connection settings: the connection budget the ecs
#   stack tests its pool size against (service_max_connections output);
# - statement logging: DDL, and any statement slower than a second, reach the PostgreSQL log.
locals {
  superuser_reserved_connections     = 3
  rds_superuser_reserved_connections = 2
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
    name         = "superuser_reserved_connections"
    value        = tostring(local.superuser_reserved_connections)
    apply_method = "pending-reboot"
  }

  parameter {
    name         = "rds.rds_superuser_reserved_connections"
    value        = tostring(local.rds_superuser_reserved_connections)
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
