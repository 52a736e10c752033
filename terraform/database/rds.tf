# The final snapshot's name carries the moment the instance was created, so a stack destroyed, created
# again and destroyed again leaves two snapshots instead of failing on the second name
# (DBSnapshotAlreadyExists). The timestamp is taken once, when this resource is created, and kept.
resource "terraform_data" "instance_generation" {
  input = plantimestamp()

  lifecycle {
    ignore_changes = [input]
  }
}

locals {
  final_snapshot_identifier = "${local.identifier}-final-${formatdate("YYYYMMDDhhmmss", terraform_data.instance_generation.output)}"
}

resource "aws_db_subnet_group" "orders" {
  name        = local.identifier
  description = "Isolated database subnets of the ${var.project} VPC"
  subnet_ids  = local.database_subnet_ids
}

# RDS would create these log groups itself, with no retention and no key; creating them first
# sets both. The names are the ones RDS writes to.
resource "aws_cloudwatch_log_group" "postgres" {
  # checkov:skip=CKV_AWS_338:Retention is var.log_retention_days (30 by default): the PostgreSQL log serves incident investigation; raise it where a compliance regime asks for a year.
  for_each = toset(["postgresql", "upgrade"])

  name              = "/aws/rds/instance/${local.identifier}/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = local.logs_kms_key_arn
}

# Enhanced Monitoring: RDS publishes OS metrics with this role.
resource "aws_iam_role" "monitoring" {
  count = var.monitoring_interval_seconds > 0 ? 1 : 0

  name        = "${local.identifier}-monitoring"
  description = "Lets RDS Enhanced Monitoring publish OS metrics of ${local.identifier}"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "monitoring.rds.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  count = var.monitoring_interval_seconds > 0 ? 1 : 0

  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "orders" {
  # checkov:skip=CKV_AWS_157:Multi-AZ is var.multi_az, off by default to halve the cost of a reference deployment; docs/infrastructure.md says to turn it on for production.
  # checkov:skip=CKV_AWS_161:The service logs in with its own password from Secrets Manager; IAM tokens expire every 15 minutes and the service's connection pool does not renew them.
  # checkov:skip=CKV_AWS_353:Performance Insights is var.performance_insights, off by default (not offered on every small class); CloudWatch metrics and the PostgreSQL log cover the defaults.
  identifier     = local.identifier
  engine         = "postgres"
  engine_version = var.engine_major_version
  instance_class = var.instance_class
  multi_az       = var.multi_az

  db_name  = var.database_name
  port     = 5432
  username = var.master_username
  # RDS generates the master password, keeps it in Secrets Manager and rotates it (every 7 days by
  # default). It never passes through Terraform: not in a variable, not in state.
  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.database.arn

  storage_type          = "gp3"
  allocated_storage     = var.allocated_storage_gb
  max_allocated_storage = var.max_allocated_storage_gb
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.database.arn

  db_subnet_group_name   = aws_db_subnet_group.orders.name
  vpc_security_group_ids = [aws_security_group.database.id]
  publicly_accessible    = false
  network_type           = "IPV4"
  ca_cert_identifier     = "rds-ca-rsa2048-g1"
  parameter_group_name   = aws_db_parameter_group.postgres[var.engine_major_version].name

  backup_retention_period  = var.backup_retention_days
  backup_window            = var.backup_window
  maintenance_window       = var.maintenance_window
  copy_tags_to_snapshot    = true
  delete_automated_backups = var.allow_destroy

  # Changing engine_major_version upgrades in place (with the new parameter group); minor
  # releases arrive in the maintenance window.
  allow_major_version_upgrade = true
  auto_minor_version_upgrade  = true
  apply_immediately           = false

  # The teardown (docs/infrastructure.md) turns deletion protection off in an apply of its own, then
  # destroys; the final snapshot is kept unless allow_destroy says the data may go.
  deletion_protection       = var.allow_destroy ? false : var.deletion_protection
  skip_final_snapshot       = var.allow_destroy
  final_snapshot_identifier = var.allow_destroy ? null : local.final_snapshot_identifier

  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  monitoring_interval                   = var.monitoring_interval_seconds
  monitoring_role_arn                   = var.monitoring_interval_seconds > 0 ? aws_iam_role.monitoring[0].arn : null
  performance_insights_enabled          = var.performance_insights
  performance_insights_kms_key_id       = var.performance_insights ? aws_kms_key.database.arn : null
  performance_insights_retention_period = var.performance_insights ? 7 : null

  depends_on = [aws_cloudwatch_log_group.postgres, aws_iam_role_policy_attachment.monitoring]
}
