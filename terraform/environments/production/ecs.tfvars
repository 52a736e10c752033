# The production environment's service (terraform workspace "production"; docs/environments.md).
# state_bucket and state_region come from terraform/state.tfvars (the backend stack's
# state_tfvars output): they name the account.

environment  = "production"
project      = "cloud-app-platform-production"
service_name = "orders-production"
aws_region   = "eu-west-1"

# The fork whose deploy jobs in GitHub's "production" environment may assume this environment's role.
github_owner       = "example-org"
github_repository  = "cloud-app-platform"
github_environment = "production"

autoscaling_min_capacity = 2
autoscaling_max_capacity = 4

# Two values name the account, so they are given on the command line, not here (`make up ENV=production
# PROMOTE_FROM=staging` passes both; docs/environments.md):
#   promote_from_ecr_repository_arn: staging's ecr_repository_arn output (production deploys the
#     image staging verified, copied by digest from staging's repository);
#   github_oidc_provider_arn: the account's GitHub OIDC provider, when staging created it in this account.
