locals {
  # The one source of every timing the load balancer, the task and the service must agree on. The
  # relations between these values are in docs/contract.md and tests/infra/test_service_ties.py.
  timings = jsondecode(file("${path.module}/../../config/timings.json"))

  # The service's ports (docs/contract.md). The load balancer reaches only app_port; metrics_port is
  # bound to the task's loopback and read by the collector sidecar, never by the load balancer.
  app_port     = 8080
  metrics_port = 9090
  # Where the collector sidecar receives the service's spans (OTLP over HTTP), on the task's loopback:
  # containers of an awsvpc task share it, and nothing outside the task reaches it.
  otlp_endpoint = "127.0.0.1:4318"

  # Names used in more than one file.
  service_container_name   = "orders-service"
  collector_container_name = "otel-collector"
  metrics_namespace        = "OrdersService"
  log_group_name           = "/ecs/${var.service_name}"
  collector_log_group_name = "/ecs/${var.service_name}/collector"
  metrics_log_group_name   = "/ecs/${var.service_name}/metrics"

  # The Service dimension of the service's own metrics (the collector adds it as a scrape label).
  metrics_service_dimension = var.service_name

  # The image the task definitions Terraform registers run (both the service's and the admin task's):
  # var.image when set (a tag or a digest), otherwise the image the service runs now, read from the
  # live service (image.tf), so an apply never points a revision at an image that does not exist.
  # Only the bootstrap apply, before the first image is pushed, registers the placeholder tag below.
  repository_url = aws_ecr_repository.service.repository_url
  image_reference = (
    var.image != null ? (startswith(var.image, "sha256:") ? "${local.repository_url}@${var.image}" : "${local.repository_url}:${var.image}") :
    var.service_bootstrap ? "${local.repository_url}:${local.bootstrap_image_tag}" :
    data.aws_ecs_container_definition.live[0].image
  )
  bootstrap_image_tag = "no-image-pushed-yet"

  # Where a deploy can find the RDS CA bundle the image carries (written at build time).
  rds_ca_bundle_path = "/etc/orders-service/rds-ca-bundle.pem"

  # Task counts. While bootstrapping (no image yet) the service exists with no tasks.
  min_tasks = var.service_bootstrap ? 0 : var.autoscaling_min_capacity
  max_tasks = var.service_bootstrap ? 0 : var.autoscaling_max_capacity

  # Rolling deployments: never below the desired count, up to double it while new tasks prove healthy.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  # The task is in the tasks' subnets from the network stack: public subnets with public IPs (the seed's
  # design: no NAT gateway), or private subnets with VPC endpoints when the network stack says so.
  account_id           = data.aws_caller_identity.current.account_id
  partition            = data.aws_partition.current.partition
  region               = var.aws_region
  log_group_arn_prefix = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group"
}
