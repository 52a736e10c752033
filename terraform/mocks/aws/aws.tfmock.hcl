# Values the mocked AWS provider gives in `terraform test` (every stack's tests/*.tftest.hcl uses this
# directory as `mock_provider "aws" { source = "../mocks/aws" }`). A mock invents random strings for
# computed attributes; the provider refuses those where it expects an ARN or JSON, so the attributes
# other resources pass on get well-formed values here. Account 123456789012 and region eu-west-1 are
# the test's own.

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/terraform-test"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}

mock_data "aws_availability_zones" {
  defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
}

# Policy documents are asserted on through their statements; the rendered JSON only has to parse.
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}

mock_data "aws_elb_service_account" {
  defaults = { arn = "arn:aws:iam::156460612806:root" }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mocked" }
}

mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/mocked" }
}

mock_resource "aws_iam_openid_connect_provider" {
  defaults = { arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    key_id = "00000000-0000-0000-0000-000000000000"
  }
}

mock_resource "aws_s3_bucket" {
  defaults = { arn = "arn:aws:s3:::mocked-bucket" }
}

mock_resource "aws_lb" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/mocked/0123456789abcdef"
    arn_suffix = "app/mocked/0123456789abcdef"
    dns_name   = "mocked-123456789.eu-west-1.elb.amazonaws.com"
    zone_id    = "Z32O12XQLNTSW2"
  }
}

mock_resource "aws_lb_target_group" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/mocked/0123456789abcdef"
    arn_suffix = "targetgroup/mocked/0123456789abcdef"
  }
}

mock_resource "aws_lb_listener" {
  defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/mocked/0123456789abcdef/0123456789abcdef" }
}

mock_resource "aws_ecr_repository" {
  defaults = {
    arn            = "arn:aws:ecr:eu-west-1:123456789012:repository/orders-service"
    repository_url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-service"
  }
}

mock_resource "aws_ecs_cluster" {
  defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/orders-service" }
}

mock_resource "aws_ecs_task_definition" {
  defaults = {
    arn                  = "arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-service:1"
    arn_without_revision = "arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-service"
  }
}

mock_resource "aws_ecs_service" {
  defaults = { id = "arn:aws:ecs:eu-west-1:123456789012:service/orders-service/orders-service" }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:eu-west-1:123456789012:mocked"
    id  = "arn:aws:sns:eu-west-1:123456789012:mocked"
  }
}

mock_resource "aws_secretsmanager_secret" {
  defaults = {
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mocked-AbCdEf"
    id  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mocked-AbCdEf"
  }
}

mock_resource "aws_wafv2_web_acl" {
  defaults = { arn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/orders-service/00000000-0000-0000-0000-000000000000" }
}

mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = { arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:mocked" }
}

# The live service and the image it runs (the ecs stack reads them when var.image is null).
mock_data "aws_ecs_service" {
  defaults = { task_definition = "arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-service:7" }
}

mock_data "aws_ecs_container_definition" {
  defaults = { image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-service@sha256:5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e" }
}

# HTTPS: CloudFront in front of an internal load balancer, or a certificate for a domain.
mock_data "aws_ec2_managed_prefix_list" {
  defaults = { id = "pl-4fa04526" }
}

mock_resource "aws_cloudfront_vpc_origin" {
  defaults = {
    id  = "vo_0123456789abcdefghijkl"
    arn = "arn:aws:cloudfront::123456789012:vpcorigin/vo_0123456789abcdefghijkl"
  }
}

mock_resource "aws_cloudfront_response_headers_policy" {
  defaults = { id = "11111111-2222-3333-4444-555555555555" }
}

mock_resource "aws_cloudfront_distribution" {
  defaults = {
    id             = "E2QWRUHAPOMQZL"
    arn            = "arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL"
    domain_name    = "d111111abcdef8.cloudfront.net"
    hosted_zone_id = "Z2FDTNDATAQYW2"
  }
}

# The tests' domain is api.example.org.
mock_resource "aws_acm_certificate" {
  defaults = {
    arn = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
    domain_validation_options = [
      {
        domain_name           = "api.example.org"
        resource_record_name  = "_0123456789abcdef.api.example.org."
        resource_record_type  = "CNAME"
        resource_record_value = "_fedcba9876543210.acm-validations.aws."
      },
    ]
  }
}

mock_resource "aws_route53_record" {
  defaults = { fqdn = "_0123456789abcdef.api.example.org" }
}
