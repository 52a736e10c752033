# The staging environment's service (terraform workspace "staging"; docs/environments.md).
# state_bucket and state_region come from terraform/state.tfvars (the backend stack's
# state_tfvars output): they name the account.

environment  = "staging"
project      = "cloud-app-platform-staging"
service_name = "orders-staging"
aws_region   = "eu-west-1"

# The fork whose deploy jobs in GitHub's "staging" environment may assume this environment's role.
github_owner       = "example-org"
github_repository  = "cloud-app-platform"
github_environment = "staging"

autoscaling_min_capacity = 2
autoscaling_max_capacity = 3
