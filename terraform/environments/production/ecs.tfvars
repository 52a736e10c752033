# The production environment's service (terraform workspace "production"; docs/environments.md). state_bucket
# and state_region come from terraform/backend.hcl on the command line: they name the account.

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

# Production deploys the image staging verified, copied by digest from staging's repository: pass
# staging's ecr_repository_arn output on the command line, as it names the account:
#   -var promote_from_ecr_repository_arn=<staging's ecr_repository_arn output>
# In the same account as staging, reuse the GitHub OIDC provider staging created:
#   -var github_oidc_provider_arn=arn:aws:iam::<account id>:oidc-provider/token.actions.githubusercontent.com
