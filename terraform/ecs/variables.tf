# Inputs of the service stack. Defaults are the production choice; cheaper or riskier settings are
# opt-in and say so. Timings are not inputs: they come from config/timings.json (locals.tf).

# --- Where the stack runs and where the other stacks keep their state ---------------------------

variable "project" {
  description = "Short name of the project, as in the other stacks: the Project tag on every resource."
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
  description = "AWS region of the service; the same region as the network and database stacks."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as eu-west-1."
  }
}

variable "state_bucket" {
  description = "Name of the S3 bucket that holds every stack's state (the backend stack's output)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be a valid S3 bucket name."
  }
}

variable "state_region" {
  description = "Region of the state bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$", var.state_region))
    error_message = "state_region must be a region name such as eu-west-1."
  }
}

variable "service_name" {
  description = "Name of the service: the cluster, ECR repository, log groups, load balancer and roles derive from it."
  type        = string
  default     = "orders-service"

  validation {
    # 20 characters keeps every derived name inside AWS limits (target group names: 32).
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.service_name))
    error_message = "service_name must be 3-20 lowercase letters, digits or hyphens, starting with a letter."
  }

  # In an environment every name carries the environment's name, so two environments live side by
  # side in one account (docs/environments.md).
  validation {
    condition     = var.environment == null || endswith(var.service_name, "-${coalesce(var.environment, "none")}")
    error_message = "In an environment, service_name must end with \"-\" and the environment's name: the names it prefixes carry the environment."
  }
}

variable "allow_destroy" {
  description = "Throwaway stacks only: turns off the load balancer's deletion protection and lets `terraform destroy` remove the ECR repository with its images and the access-log bucket with its objects. Keep false in production."
  type        = bool
  default     = false
}

# --- Image ---------------------------------------------------------------------------------------

variable "image" {
  description = "Image of the task definitions Terraform registers: a tag in the service's repository or a digest (sha256:...). Null, the usual choice: the image the service runs now (CI deploys every later image), or a placeholder on the bootstrap apply, before any image exists."
  type        = string
  default     = null

  validation {
    condition     = var.image == null || can(regex("^(sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$", var.image))
    error_message = "image must be an image tag (letters, digits, '_', '.', '-'; at most 128 characters) or a digest sha256:<64 hex>."
  }
}

variable "ecr_keep_release_images" {
  description = "How many tagged images the ECR lifecycle policy keeps (older ones expire; untagged ones expire after a day). Keep enough to roll back to."
  type        = number
  default     = 30

  validation {
    condition     = var.ecr_keep_release_images >= 5 && var.ecr_keep_release_images <= 1000
    error_message = "ecr_keep_release_images must be between 5 and 1000."
  }
}

variable "collector_image" {
  description = "Image of the metrics collector sidecar (AWS Distro for OpenTelemetry), pinned by version or digest: on ECR Public, or, for tasks in private subnets (which cannot reach ECR Public), through this account's ECR pull-through cache of it (ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX/aws-observability/aws-otel-collector:vX.Y.Z)."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.45.1"

  validation {
    condition     = can(regex("^(public\\.ecr\\.aws|[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9][a-z0-9._/-]*)/aws-observability/aws-otel-collector(:v[0-9]+\\.[0-9]+\\.[0-9]+|@sha256:[a-f0-9]{64})$", var.collector_image))
    error_message = "collector_image must be the ADOT collector, on ECR Public or an ECR pull-through cache of it, pinned to a version (:vX.Y.Z) or a digest, never latest."
  }
}

# --- Task size and placement ---------------------------------------------------------------------

variable "task_cpu" {
  description = "CPU units of one task (1024 = one vCPU)."
  type        = number
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task_cpu)
    error_message = "task_cpu must be one of the Fargate sizes: 256, 512, 1024, 2048, 4096, 8192, 16384."
  }
}

variable "task_memory" {
  description = "Memory of one task in MiB; must pair with task_cpu as Fargate allows."
  type        = number
  default     = 1024

  validation {
    # The CPU/memory combinations Fargate accepts (Amazon ECS developer guide, "Task CPU and memory").
    condition = contains(
      var.task_cpu == 256 ? [512, 1024, 2048] :
      var.task_cpu == 512 ? range(1024, 4097, 1024) :
      var.task_cpu == 1024 ? range(2048, 8193, 1024) :
      var.task_cpu == 2048 ? range(4096, 16385, 1024) :
      var.task_cpu == 4096 ? range(8192, 30721, 1024) :
      var.task_cpu == 8192 ? range(16384, 61441, 4096) :
      range(32768, 122881, 8192),
      var.task_memory
    )
    error_message = "task_memory is not a Fargate combination with task_cpu (for 512 CPU: 1024-4096 in steps of 1024)."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the tasks; the deploy workflow builds the image for this one. ARM64 (Graviton) is cheaper, opt-in."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "fargate_spot_weight" {
  description = "Opt-in Fargate Spot: 0 runs every task on FARGATE; N > 0 keeps one task on FARGATE and places the rest N:1 on FARGATE_SPOT (cheaper, can be interrupted with two minutes' notice)."
  type        = number
  default     = 0

  validation {
    condition     = var.fargate_spot_weight >= 0 && var.fargate_spot_weight <= 10 && floor(var.fargate_spot_weight) == var.fargate_spot_weight
    error_message = "fargate_spot_weight must be a whole number from 0 to 10."
  }
}

# --- Service size --------------------------------------------------------------------------------

variable "service_bootstrap" {
  description = "True only for the first apply, before any image exists: the service is created with no tasks and autoscaling pinned at 0. The first deploy pushes an image; then apply again with false (docs/operations.md, first apply)."
  type        = bool
  default     = false
}

variable "autoscaling_min_capacity" {
  description = "Fewest tasks; at least 2 so the service spans two availability zones and survives losing a task."
  type        = number
  default     = 2

  validation {
    condition     = var.autoscaling_min_capacity >= 2
    error_message = "autoscaling_min_capacity must be at least 2 (one task per zone)."
  }
}

variable "autoscaling_max_capacity" {
  description = "Most tasks autoscaling may run. With the connection pool size it bounds the database connections (a test checks the sum against max_connections)."
  type        = number
  default     = 4

  validation {
    condition     = var.autoscaling_max_capacity >= 2 && var.autoscaling_max_capacity <= 50
    error_message = "autoscaling_max_capacity must be between 2 and 50."
  }

  validation {
    condition     = var.autoscaling_max_capacity >= var.autoscaling_min_capacity
    error_message = "autoscaling_max_capacity must be at least autoscaling_min_capacity."
  }
}

variable "autoscaling_cpu_target" {
  description = "Average CPU utilisation (percent) that target tracking keeps the service at."
  type        = number
  default     = 60

  validation {
    condition     = var.autoscaling_cpu_target >= 20 && var.autoscaling_cpu_target <= 90
    error_message = "autoscaling_cpu_target must be between 20 and 90."
  }
}

variable "autoscaling_requests_per_target" {
  description = "Requests per task per minute (ALBRequestCountPerTarget) that target tracking keeps the service at."
  type        = number
  default     = 3000

  validation {
    condition     = var.autoscaling_requests_per_target >= 10
    error_message = "autoscaling_requests_per_target must be at least 10."
  }
}

# --- Service settings ----------------------------------------------------------------------------

variable "database_pool_size" {
  description = "Connections each task may open (DATABASE_POOL_SIZE). Pool size x the most tasks during a deployment must stay below the database's max_connections."
  type        = number
  default     = 5

  validation {
    condition     = var.database_pool_size >= 1 && var.database_pool_size <= 200
    error_message = "database_pool_size must be between 1 and 200 (the service's accepted range)."
  }
}

variable "trace_sample_ratio" {
  description = "Share of new traces the service records and sends to X-Ray (OTEL_TRACES_SAMPLER_ARG of its parent-based ratio sampler): a request whose caller already decided follows that decision. 0 switches tracing off."
  type        = number
  default     = 0.05

  validation {
    condition     = var.trace_sample_ratio >= 0 && var.trace_sample_ratio <= 1
    error_message = "trace_sample_ratio must be between 0 and 1."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of the service."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["trace", "debug", "info", "notice", "warning", "error", "critical"], var.log_level)
    error_message = "log_level must be one of trace, debug, info, notice, warning, error, critical."
  }
}

variable "log_retention_days" {
  description = "Retention of the service, collector, metrics and WAF log groups, in days."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (for example 30, 90, 365)."
  }
}

# --- How clients reach the API: HTTPS in every setup ---------------------------------------------

variable "entry_point" {
  description = "How clients reach the API. \"cloudfront\" (the default, no domain needed): HTTPS on CloudFront's own name (d....cloudfront.net), in front of an internal load balancer that CloudFront reaches through a VPC origin. \"load_balancer\": an internet-facing load balancer, HTTPS on domain_name; without a domain the plan is refused, unless allow_plain_http_demo says otherwise."
  type        = string
  default     = "cloudfront"

  validation {
    condition     = contains(["cloudfront", "load_balancer"], var.entry_point)
    error_message = "entry_point must be \"cloudfront\" or \"load_balancer\"."
  }

  validation {
    condition     = var.entry_point == "load_balancer" || var.domain_name == null
    error_message = "domain_name is served by the internet-facing load balancer: set entry_point = \"load_balancer\" with it (CloudFront in this stack serves its own name only)."
  }

  validation {
    condition     = !var.allow_plain_http_demo || (var.entry_point == "load_balancer" && var.domain_name == null)
    error_message = "allow_plain_http_demo applies only to entry_point = \"load_balancer\" without domain_name; every other setup serves HTTPS."
  }

  # The one setup that would carry API keys over plain HTTP on the internet.
  validation {
    condition     = var.entry_point == "cloudfront" || var.domain_name != null || var.allow_plain_http_demo
    error_message = "entry_point = \"load_balancer\" without domain_name would serve the API over plain HTTP on the internet, and every client would send its API key in clear text. Set domain_name (with route53_zone_id or certificate_arn) for HTTPS on your domain, or keep entry_point = \"cloudfront\" for HTTPS without a domain. Only for a throwaway demo: allow_plain_http_demo = true (README, \"Plain HTTP demo\")."
  }
}

variable "domain_name" {
  description = "Host name of the API with entry_point = \"load_balancer\", for example api.example.org: the certificate is issued for it, and service_url and the smoke test use it. Null: no domain of your own."
  type        = string
  default     = null

  validation {
    condition     = var.domain_name == null || (can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", var.domain_name)) && length(coalesce(var.domain_name, "-")) <= 253)
    error_message = "domain_name must be a lowercase DNS host name such as api.example.org (no wildcard, no trailing dot)."
  }

  validation {
    condition     = var.domain_name != null || (var.route53_zone_id == null && var.certificate_arn == null)
    error_message = "route53_zone_id and certificate_arn belong to domain_name: clients and the smoke test must call the name the certificate is for, never the load balancer's own name."
  }

  validation {
    condition     = var.domain_name == null || var.route53_zone_id != null || var.certificate_arn != null
    error_message = "domain_name needs route53_zone_id (the certificate is then issued and validated through that zone, and the alias records are made) or certificate_arn (a certificate you manage for that name; point the name at load_balancer_dns_name yourself)."
  }
}

variable "route53_zone_id" {
  description = "Public Route 53 hosted zone that holds domain_name: the certificate's validation records and the A/AAAA alias records to the load balancer go there. Null: DNS is managed elsewhere (then certificate_arn is needed)."
  type        = string
  default     = null

  validation {
    condition     = var.route53_zone_id == null || can(regex("^[A-Z0-9]{1,32}$", var.route53_zone_id))
    error_message = "route53_zone_id must be a hosted zone id such as Z0123456789ABCDEFGHIJ (without the /hostedzone/ prefix)."
  }
}

variable "certificate_arn" {
  description = "An ACM certificate you manage for domain_name, in this region. Null (the usual choice with route53_zone_id): the stack requests one and validates it through Route 53."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "allow_plain_http_demo" {
  description = "Throwaway demos only: accept entry_point = \"load_balancer\" without a domain, so the API, and every API key sent to it, travels over plain HTTP on the internet. The deploy workflow's smoke test refuses such a URL. Keep false."
  type        = bool
  default     = false

}

variable "ssl_policy" {
  description = "TLS policy of the load balancer's HTTPS listener (with a domain): one of the TLS 1.3 policies."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = startswith(var.ssl_policy, "ELBSecurityPolicy-TLS13-")
    error_message = "ssl_policy must be a TLS 1.3 policy (ELBSecurityPolicy-TLS13-...)."
  }
}

variable "hsts_max_age_seconds" {
  description = "max-age of the Strict-Transport-Security header added to every HTTPS response (by the load balancer or by CloudFront). A year by default; start lower (a day) while trying a new domain out, since browsers remember it."
  type        = number
  default     = 31536000

  validation {
    condition     = var.hsts_max_age_seconds >= 300 && var.hsts_max_age_seconds <= 63072000 && floor(var.hsts_max_age_seconds) == var.hsts_max_age_seconds
    error_message = "hsts_max_age_seconds must be a whole number of seconds from 300 to 63072000 (two years)."
  }
}

variable "cloudfront_price_class" {
  description = "CloudFront price class with entry_point = \"cloudfront\": PriceClass_All serves from every edge location; PriceClass_100 and PriceClass_200 are cheaper, with fewer locations (and more latency elsewhere)."
  type        = string
  default     = "PriceClass_All"

  validation {
    condition     = contains(["PriceClass_All", "PriceClass_200", "PriceClass_100"], var.cloudfront_price_class)
    error_message = "cloudfront_price_class must be PriceClass_All, PriceClass_200 or PriceClass_100."
  }
}

variable "alb_ingress_cidrs" {
  description = "IPv4 ranges allowed to reach the internet-facing load balancer on 80/443 (entry_point = \"load_balancer\"). Behind CloudFront only CloudFront reaches it."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.alb_ingress_cidrs) > 0 && alltrue([for cidr in var.alb_ingress_cidrs : can(cidrnetmask(cidr))])
    error_message = "alb_ingress_cidrs must be a non-empty list of IPv4 CIDR blocks."
  }
}

variable "alb_access_logs_enabled" {
  description = "Load balancer access logs to the stack's S3 bucket."
  type        = bool
  default     = true
}

variable "alb_access_log_expiry_days" {
  description = "Days the load balancer access logs are kept."
  type        = number
  default     = 90

  validation {
    condition     = var.alb_access_log_expiry_days >= 1
    error_message = "alb_access_log_expiry_days must be at least 1."
  }
}

variable "waf_rate_limit" {
  description = "Requests one client IP may send in 5 minutes before the WAF blocks it."
  type        = number
  default     = 2000

  validation {
    condition     = var.waf_rate_limit >= 10 && var.waf_rate_limit <= 2000000000
    error_message = "waf_rate_limit must be between 10 and 2,000,000,000 (the WAF's bounds)."
  }
}

# --- Alarms --------------------------------------------------------------------------------------

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic (confirm the subscription mail). Null: no subscription."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an e-mail address."
  }
}

variable "alarm_5xx_percent" {
  description = "Share of requests answered 5xx (target or load balancer), in percent, that marks a deployment bad and pages."
  type        = number
  default     = 5

  validation {
    condition     = var.alarm_5xx_percent > 0 && var.alarm_5xx_percent <= 100
    error_message = "alarm_5xx_percent must be in (0, 100]."
  }
}

variable "alarm_5xx_min_requests" {
  description = "Requests per minute below which the 5xx ratio is not judged (two failures out of three requests are noise, not a bad deployment)."
  type        = number
  default     = 20

  validation {
    condition     = var.alarm_5xx_min_requests >= 1
    error_message = "alarm_5xx_min_requests must be at least 1."
  }
}

variable "alarm_p99_seconds" {
  description = "Target p99 response time, in seconds, that marks a deployment bad and pages."
  type        = number
  default     = 1.5

  validation {
    condition     = var.alarm_p99_seconds > 0
    error_message = "alarm_p99_seconds must be positive."
  }
}

variable "alarm_cpu_percent" {
  description = "Service average CPU utilisation, in percent, that pages when autoscaling cannot keep up."
  type        = number
  default     = 85

  validation {
    condition     = var.alarm_cpu_percent > 0 && var.alarm_cpu_percent <= 100
    error_message = "alarm_cpu_percent must be above 0 and at most 100."
  }
}

variable "alarm_memory_percent" {
  description = "Service average memory utilisation, in percent, that pages."
  type        = number
  default     = 85

  validation {
    condition     = var.alarm_memory_percent > 0 && var.alarm_memory_percent <= 100
    error_message = "alarm_memory_percent must be above 0 and at most 100."
  }
}

variable "alarm_db_cpu_percent" {
  description = "Database CPU utilisation, in percent, that pages."
  type        = number
  default     = 80

  validation {
    condition     = var.alarm_db_cpu_percent > 0 && var.alarm_db_cpu_percent <= 100
    error_message = "alarm_db_cpu_percent must be above 0 and at most 100."
  }
}

variable "alarm_db_free_storage_bytes" {
  description = "Free database storage, in bytes, below which the alarm pages."
  type        = number
  default     = 2147483648

  validation {
    condition     = var.alarm_db_free_storage_bytes >= 1073741824
    error_message = "alarm_db_free_storage_bytes must be at least 1 GiB (1073741824)."
  }
}

variable "alarm_db_connections_percent" {
  description = "Database connections as a percentage of max_connections that pages."
  type        = number
  default     = 80

  validation {
    condition     = var.alarm_db_connections_percent > 0 && var.alarm_db_connections_percent < 100
    error_message = "alarm_db_connections_percent must be between 0 and 100."
  }
}

# --- GitHub Actions deploys (OIDC) ---------------------------------------------------------------

variable "github_owner" {
  description = "GitHub user or organisation that owns the repository allowed to deploy."
  type        = string

  validation {
    # GitHub's own rule for account names; no wildcard can pass it.
    condition     = can(regex("^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$", var.github_owner))
    error_message = "github_owner must be a GitHub account name: letters, digits and single hyphens; no wildcards."
  }
}

variable "github_repository" {
  description = "Name of the GitHub repository allowed to deploy (without the owner)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,100}$", var.github_repository)) && !contains([".", ".."], var.github_repository)
    error_message = "github_repository must be a repository name: letters, digits, '.', '_', '-'; no wildcards."
  }
}

variable "github_environment" {
  description = "GitHub environment whose jobs may deploy; the deploy job names it, and its protection rules gate production."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,255}$", var.github_environment))
    error_message = "github_environment must be an environment name: letters, digits, '.', '_', '-'; no wildcards."
  }

  # One deploy role per environment: staging's role trusts only jobs in GitHub's "staging" environment.
  validation {
    condition     = var.environment == null || var.github_environment == var.environment
    error_message = "In an environment, github_environment must be the environment's name: its deploy role trusts only that GitHub environment's jobs."
  }
}

variable "promote_from_ecr_repository_arn" {
  description = "ECR repository of the environment whose tested images this one deploys (production: staging's repository ARN). The deploy role may read images there; the deploy workflow copies each release by digest. Null: the environment builds its own images (staging). In another account, that repository's policy must also let this role read."
  type        = string
  default     = null

  validation {
    condition     = var.promote_from_ecr_repository_arn == null || can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9][a-z0-9._/-]*$", var.promote_from_ecr_repository_arn))
    error_message = "promote_from_ecr_repository_arn must be an ECR repository ARN."
  }
}

variable "github_oidc_provider_arn" {
  description = "ARN of an existing token.actions.githubusercontent.com OIDC provider in the account (there can be only one). Null creates it."
  type        = string
  default     = null

  validation {
    condition     = var.github_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.github_oidc_provider_arn))
    error_message = "github_oidc_provider_arn must be the ARN of the token.actions.githubusercontent.com OIDC provider."
  }
}

# --- Operators -----------------------------------------------------------------------------------

variable "operator_principal_arns" {
  description = "IAM roles or users of this account that may assume the operator role: ECS Exec into the one-off admin task, with every session logged (docs/operations.md). Empty: no operator role."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.operator_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "operator_principal_arns must hold IAM role or user ARNs (arn:aws:iam::ACCOUNT:role/NAME); no wildcards, no account root."
  }
}
