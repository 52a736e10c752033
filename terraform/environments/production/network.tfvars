# The production environment's network (terraform workspace "production"; docs/environments.md).
# Non-secret values only: this file is committed, and every name below carries the environment.

environment = "production"
project     = "cloud-app-platform-production"
aws_region  = "eu-west-1"
vpc_cidr    = "10.30.0.0/16"
