# The production environment's database (terraform workspace "production"; docs/environments.md).
# state_bucket and state_region come from terraform/state.tfvars (the backend stack's
# state_tfvars output): they name the account.

environment           = "production"
project               = "cloud-app-platform-production"
aws_region            = "eu-west-1"
instance_class        = "db.t4g.micro"
multi_az              = true
backup_retention_days = 14
