output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.main.id
}

output "vpc_cidr_block" {
  description = "IPv4 range of the VPC."
  value       = aws_vpc.main.cidr_block
}

output "availability_zones" {
  description = "The zones the subnets are spread over, in subnet order."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "Public subnets, one per zone: the load balancer (and the tasks unless tasks_in_private_subnets)."
  value       = aws_subnet.public[*].id
}

output "database_subnet_ids" {
  description = "Isolated subnets, one per zone, for the database's subnet group."
  value       = aws_subnet.database[*].id
}

output "internal_subnet_ids" {
  description = "Private subnets with no route out of the VPC, one per zone: the internal load balancer CloudFront reaches through a VPC origin."
  value       = aws_subnet.internal[*].id
}

output "task_subnet_ids" {
  description = "The subnets the service's tasks run in: the private task subnets when tasks_in_private_subnets, else the public ones."
  value       = var.tasks_in_private_subnets ? aws_subnet.tasks[*].id : aws_subnet.public[*].id
}

output "tasks_in_private_subnets" {
  description = "True when the tasks run in private subnets (no public IP; AWS APIs through VPC endpoints)."
  value       = var.tasks_in_private_subnets
}

output "tasks_security_group_id" {
  description = "The tasks' security group, created empty here; the database stack admits it on 5432 and the ecs stack adds its ingress and egress rules."
  value       = aws_security_group.tasks.id
}

output "logs_kms_key_arn" {
  description = "KMS key for this project's CloudWatch log groups in the region."
  value       = aws_kms_key.logs.arn
}

output "flow_log_group_name" {
  description = "CloudWatch log group of the VPC flow log."
  value       = aws_cloudwatch_log_group.flow_logs.name
}
