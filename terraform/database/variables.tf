# --- Where the stack runs and where the other stacks keep their state ---------------------------

variable "project" {
  description = "Short name that prefixes every resource name; the same value as in the network stack."
  type        = string
  default     = "cloud-app-platform"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}[a-z0-9]$", var.project))
    error_message = "project must be 4-32 characters: lowercase letters, digits and hyphens, starting with a letter."
  }

  # In an environment every name carries the environment's name, so two environments live side by
  # side in one account (docs/environments.md).
  validation {
    condition     = var.environment == null || endswith(var.project, "-${coalesce(var.environment, "none")}")
    error_message = "In an environment, project must end with \"-\" and the environment's name: the names it prefixes carry the environment."
  }
}

variable "environment" {
  description = "Name of the environment (staging, production, ...): the Terraform workspace this stack is applied in, its Environment tag, and the suffix its names carry (docs/environments.md). Null outside an environment, in the default workspace."
  type        = string
  default     = null

  # The environment's variables file only applies in its own workspace, and a workspace only with its
  # own file: a forgotten `terraform workspace select` cannot put staging's values into another state.
  validation {
    condition     = var.environment == null ? terraform.workspace == "default" : var.environment == terraform.workspace
    error_message = "environment must name the selected workspace (now \"${terraform.workspace}\"): select the environment's workspace with `terraform workspace select -or-create NAME` and pass its terraform/environments/NAME file; leave environment unset only in the default workspace."
  }
}

variable "aws_region" {
  description = "AWS region of the database; the same region as the network stack."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like eu-west-1 or us-gov-west-1."
  }
}

variable "state_bucket" {
  description = "Name of the S3 bucket that holds every stack's state (the backend stack's state_bucket output)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be a valid S3 bucket name."
  }
}

variable "state_region" {
  description = "Region of the state bucket (the backend stack's state_region output)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.state_region))
    error_message = "state_region must look like eu-west-1."
  }
}

variable "allow_destroy" {
  description = "Throwaway stacks only: no deletion protection, no final snapshot, automated backups and secrets deleted at once. Keep false for anything real."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "RDS refuses to delete the instance while true. The teardown (docs/infrastructure.md) applies false first; the final snapshot is still taken."
  type        = bool
  default     = true
}

# --- The instance ------------------------------------------------------------------------------

variable "engine_major_version" {
  description = "PostgreSQL major version. RDS picks the newest minor release and applies later ones in the maintenance window."
  type        = string
  default     = "17"

  validation {
    condition     = contains(["14", "15", "16", "17"], var.engine_major_version)
    error_message = "engine_major_version must be 14, 15, 16 or 17 (the versions whose parameter group family this stack sets)."
  }
}

variable "retained_parameter_group_versions" {
  description = "Major versions whose parameter groups are kept besides engine_major_version's: during a major upgrade, the version being left, until the upgrade has been applied (docs/infrastructure.md, \"Major version upgrade\")."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for version in var.retained_parameter_group_versions : contains(["14", "15", "16", "17"], version)])
    error_message = "retained_parameter_group_versions may hold only 14, 15, 16 or 17."
  }
}

variable "instance_class" {
  description = "RDS instance class. The default, db.t4g.micro (Graviton, 2 vCPU burstable, 1 GiB), suits a reference deployment; size up for real load."
  type        = string
  default     = "db.t4g.micro"

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must look like db.t4g.micro."
  }
}

variable "multi_az" {
  description = "A standby in a second zone with automatic failover. Off by default to halve the cost of a reference deployment; turn it on for production."
  type        = bool
  default     = false
}

variable "allocated_storage_gb" {
  description = "Initial gp3 storage in GiB (20 is the gp3 minimum)."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage_gb >= 20 && var.allocated_storage_gb <= 65536
    error_message = "allocated_storage_gb must be between 20 and 65536."
  }
}

variable "max_allocated_storage_gb" {
  description = "Ceiling for storage autoscaling in GiB; RDS grows the volume up to it when free space runs low."
  type        = number
  default     = 100

  validation {
    condition     = var.max_allocated_storage_gb >= 20 && var.max_allocated_storage_gb <= 65536
    error_message = "max_allocated_storage_gb must be between 20 and 65536."
  }

  validation {
    condition     = var.max_allocated_storage_gb >= var.allocated_storage_gb
    error_message = "max_allocated_storage_gb must be at least allocated_storage_gb."
  }
}

variable "max_connections" {
  description = "PostgreSQL max_connections, set explicitly so the ecs stack can test pool size x maximum tasks against it. 80 fits the 1 GiB of db.t4g.micro."
  type        = number
  default     = 80

  validation {
    condition     = var.max_connections >= 20 && var.max_connections <= 5000
    error_message = "max_connections must be between 20 and 5000."
  }
}

variable "backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35."
  }
}

variable "backup_window" {
  description = "Daily UTC window for automated backups (hh24:mi-hh24:mi, at least 30 minutes, not overlapping the maintenance window)."
  type        = string
  default     = "02:00-03:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window))
    error_message = "backup_window must look like 02:00-03:00."
  }
}

variable "maintenance_window" {
  description = "Weekly UTC window for minor upgrades and pending changes (ddd:hh24:mi-ddd:hh24:mi)."
  type        = string
  default     = "sun:03:30-sun:04:30"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window))
    error_message = "maintenance_window must look like sun:03:30-sun:04:30."
  }
}

variable "monitoring_interval_seconds" {
  description = "Enhanced Monitoring interval (OS metrics per process); 0 turns it off."
  type        = number
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval_seconds)
    error_message = "monitoring_interval_seconds must be 0, 1, 5, 10, 15, 30 or 60."
  }
}

variable "performance_insights" {
  description = "Turn on Performance Insights (7 days, free tier). Off by default: it is not offered on every small class, and CloudWatch metrics plus the PostgreSQL log cover the defaults."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the PostgreSQL and upgrade logs (a value CloudWatch accepts)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch Logs' retention values (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

# --- Database, users and secrets ---------------------------------------------------------------

variable "database_name" {
  description = "Name of the database the service uses (DATABASE_NAME)."
  type        = string
  default     = "orders"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must start with a lowercase letter and hold only lowercase letters, digits and underscores (at most 63)."
  }
}

variable "master_username" {
  description = "The RDS master user. Only the one-off admin task logs in as it; its password is managed by RDS in Secrets Manager."
  type        = string
  default     = "orders_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.master_username)) && !contains(["postgres", "rdsadmin", "admin"], var.master_username)
    error_message = "master_username must be a lowercase identifier and not a name PostgreSQL or RDS reserves."
  }
}

variable "service_username" {
  description = "The service's group role, which owns its schema. The service logs in as <service_username>_a or _b, members of it that take turns across password rotations; the admin bootstrap task creates all three."
  type        = string
  default     = "orders_service"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,60}$", var.service_username)) && !can(regex("_[ab]$", var.service_username)) && !contains(["postgres", "rdsadmin", "admin"], var.service_username)
    error_message = "service_username must be a lowercase identifier of at most 61 characters (its login roles add _a and _b), not ending in _a or _b, and not a name PostgreSQL or RDS reserves."
  }
}
