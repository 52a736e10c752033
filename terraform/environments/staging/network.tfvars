# The staging environment's network (terraform workspace "staging"; docs/environments.md).
# Non-secret values only: this file is committed, and every name below carries the environment.

environment = "staging"
project     = "cloud-app-platform-staging"
aws_region  = "eu-west-1"
vpc_cidr    = "10.20.0.0/16"
