# Log groups, all encrypted with the stack's key and kept log_retention_days:
#   service   one stream per task: service/orders-service/<task-id> (and admin/... for the admin task)
#   collector the sidecar's own log
#   metrics   the EMF records the collector writes; CloudWatch turns them into the OrdersService metrics

resource "aws_cloudwatch_log_group" "service" {
  # checkov:skip=CKV_AWS_338:operational logs are kept 90 days by default to bound cost; log_retention_days raises it where a compliance regime asks for a year
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.service.arn
}

resource "aws_cloudwatch_log_group" "collector" {
  # checkov:skip=CKV_AWS_338:the collector's own diagnostics; a year of them has no use, log_retention_days applies
  name              = local.collector_log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.service.arn
}

resource "aws_cloudwatch_log_group" "metrics" {
  # checkov:skip=CKV_AWS_338:EMF records only feed CloudWatch metrics, which keep their own 15-month history
  name              = local.metrics_log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.service.arn
}
