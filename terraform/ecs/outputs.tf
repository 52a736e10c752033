# What operators and the deploy workflow need. The workflow takes these as GitHub repository or
# environment variables (docs/deploy.md); none of them is a secret.

output "region" {
  description = "AWS region of the service (AWS_REGION for the workflow)."
  value       = local.region
}

output "service_url" {
  description = "URL clients and the deploy workflow's smoke test use (SERVICE_URL): https://domain_name, https://<distribution>.cloudfront.net behind CloudFront, http:// only in the plain-HTTP demo."
  value       = local.service_url
}

output "entry_point" {
  description = "How clients reach the API: cloudfront or load_balancer."
  value       = var.entry_point
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer: with a domain whose DNS is not in Route 53, point a CNAME of domain_name at it; behind CloudFront it is internal."
  value       = aws_lb.service.dns_name
}

output "cloudfront_distribution_id" {
  description = "ID of the CloudFront distribution in front of the service (entry_point = cloudfront), null otherwise."
  value       = one(aws_cloudfront_distribution.service[*].id)
}

output "ecr_repository_url" {
  description = "URL of the service's ECR repository (images are pushed here)."
  value       = aws_ecr_repository.service.repository_url
}

output "ecr_repository_arn" {
  description = "ARN of the image repository: in staging, what production's promote_from_ecr_repository_arn names."
  value       = aws_ecr_repository.service.arn
}

output "ecr_repository_name" {
  description = "Name of the service's ECR repository."
  value       = aws_ecr_repository.service.name
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.service.name
}

output "service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.service.name
}

output "container_name" {
  description = "Name of the service's container in the task definition (the one whose image a deploy replaces)."
  value       = local.service_container_name
}

output "task_family" {
  description = "Task definition family of the service; CI renders each new revision from its latest one."
  value       = aws_ecs_task_definition.service.family
}

output "cpu_architecture" {
  description = "CPU architecture of the tasks; the deploy workflow builds the image for it."
  value       = var.cpu_architecture
}

output "log_group_name" {
  description = "Log group of the service's tasks; each task writes the stream service/orders-service/<task-id>."
  value       = aws_cloudwatch_log_group.service.name
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.service.dashboard_name
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "deployment_alarm_names" {
  description = "Alarms that fail and roll back a deployment."
  value       = local.deployment_alarm_names
}

output "deployment_alarm_window_seconds" {
  description = "Longest window a deployment alarm evaluates; ECS bakes a deployment for a time derived from it."
  value       = local.deployment_alarm_window_seconds
}

output "deployment_deadline_seconds" {
  description = "How long the deploy workflow waits for its deployment to reach COMPLETED or FAILED: rollout bound plus twice the alarm window plus margin."
  value       = local.deployment_deadline_seconds
}

output "github_deploy_role_arn" {
  description = "Role the deploy workflow assumes through OIDC (AWS_DEPLOY_ROLE_ARN)."
  value       = aws_iam_role.github_deploy.arn
}

output "github_deploy_subject" {
  description = "The only OIDC subject the deploy role trusts: the deploy job must run in this repository and environment."
  value       = local.github_deploy_subject
}

output "github_environment" {
  description = "GitHub environment the deploy job must name."
  value       = var.github_environment
}

output "admin_task_family" {
  description = "Task definition family of the one-off admin task (database bootstrap)."
  value       = aws_ecs_task_definition.admin.family
}

output "admin_run_task_network_configuration" {
  description = "The --network-configuration argument for `aws ecs run-task` of the admin task (docs/operations.md)."
  value = jsonencode({
    awsvpcConfiguration = {
      subnets        = local.task_subnet_ids
      securityGroups = [local.tasks_security_group]
      assignPublicIp = local.task_assign_public_ip ? "ENABLED" : "DISABLED"
    }
  })
}

output "operator_role_arn" {
  description = "Role the operators in operator_principal_arns assume for ECS Exec into the admin task (docs/operations.md); null without operators."
  value       = one(aws_iam_role.operator[*].arn)
}

output "admin_container_name" {
  description = "The admin task's container, the only one ECS Exec may open a session in."
  value       = local.admin_container_name
}

output "exec_log_group_name" {
  description = "Encrypted log group of every ECS Exec shell session's input and output."
  value       = aws_cloudwatch_log_group.exec.name
}
