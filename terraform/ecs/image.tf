# The image the service runs now: the container image of the task definition revision the live
# service points at (CI registers a revision per deploy). Task definitions Terraform registers take it
# (locals.tf, image_reference), so an apply keeps both the service's and the admin task's revisions on
# the deployed image instead of a tag nobody pushed. Read by name, not through the resources of this
# stack, so it is read at plan time; absent on the bootstrap apply (no service yet) and when var.image
# names the image.
data "aws_ecs_service" "live" {
  count = var.image == null && !var.service_bootstrap ? 1 : 0

  service_name = var.service_name
  cluster_arn  = "arn:${local.partition}:ecs:${var.aws_region}:${local.account_id}:cluster/${var.service_name}"
}

data "aws_ecs_container_definition" "live" {
  count = length(data.aws_ecs_service.live)

  task_definition = data.aws_ecs_service.live[0].task_definition
  container_name  = local.service_container_name
}
