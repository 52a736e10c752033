output "address" {
  description = "Host name of the database (DATABASE_HOST)."
  value       = aws_db_instance.orders.address
}

output "port" {
  description = "Port of the database (DATABASE_PORT)."
  value       = aws_db_instance.orders.port
}

output "database_name" {
  description = "Name of the service's database (DATABASE_NAME)."
  value       = aws_db_instance.orders.db_name
}

output "instance_identifier" {
  description = "RDS instance identifier: the DBInstanceIdentifier dimension of the database's CloudWatch metrics."
  value       = aws_db_instance.orders.identifier
}

output "security_group_id" {
  description = "The database's security group; the ecs stack adds an egress rule from the tasks to it."
  value       = aws_security_group.database.id
}

output "ca_cert_identifier" {
  description = "The RDS certificate authority the server certificate chains to (for DATABASE_TLS_CA_FILE)."
  value       = aws_db_instance.orders.ca_cert_identifier
}

output "master_user_secret_arn" {
  description = "The RDS-managed secret of the master user (JSON keys username, password); for the one-off admin task only."
  value       = aws_db_instance.orders.master_user_secret[0].secret_arn
}

output "service_user_name" {
  description = "The login the service secret names when it is created (<service_username>_a). A rotation moves it to the other login, so tasks must read DATABASE_USER from the secret's username key, not from this output."
  value       = local.service_login_roles[0]
}

output "service_group_role" {
  description = "The group role that owns the service's schema and tables; both login roles act as it."
  value       = var.service_username
}

output "service_login_roles" {
  description = "The two login roles that take turns; the service secret's username names the one in use."
  value       = local.service_login_roles
}

output "service_user_secret_arn" {
  description = "Secret of the service's own role (JSON keys username, password)."
  value       = aws_secretsmanager_secret.service_user.arn
}

output "secrets_kms_key_arns" {
  description = "KMS keys the ECS execution role needs kms:Decrypt on to read both secrets."
  value       = [aws_kms_key.database.arn]
}

output "max_connections" {
  description = "PostgreSQL max_connections as set in the parameter group."
  value       = var.max_connections
}

output "service_max_connections" {
  description = "The service's connection budget: max_connections minus the connections kept free for superusers, the admin task and operators (10)."
  value       = var.max_connections - local.connections_kept_free
}

output "endpoint" {
  description = "host:port of the database."
  value       = aws_db_instance.orders.endpoint
}

output "final_snapshot_identifier" {
  description = "Name of the snapshot RDS takes when the instance is destroyed (null with allow_destroy): the teardown keeps it, with its key."
  value       = aws_db_instance.orders.final_snapshot_identifier
}

output "kms_key_arn" {
  description = "The key of the database's storage, snapshots and secrets; the teardown keeps it while a final snapshot needs it."
  value       = aws_kms_key.database.arn
}
