# GitHub Actions deploys with no stored AWS key: the deploy job of github_owner/github_repository,
# running in the github_environment environment, exchanges its OIDC token for this role for one hour.
#
# The trust policy compares both claims with StringEquals against values built only from validated
# variables (no wildcard can get in): aud is exactly sts.amazonaws.com and sub is exactly
# repo:OWNER/REPO:environment:ENV, the form GitHub issues to a job that names an environment.
# tests/infra/test_service_ties.py reads this policy back and holds it to deploy.yml.

locals {
  github_oidc_host = "token.actions.githubusercontent.com"
  github_oidc_provider_arn = (
    var.github_oidc_provider_arn != null ? var.github_oidc_provider_arn : aws_iam_openid_connect_provider.github[0].arn
  )
  github_deploy_subject = "repo:${var.github_owner}/${var.github_repository}:environment:${var.github_environment}"
}

# An account has at most one provider per URL: reuse an existing one with github_oidc_provider_arn.
resource "aws_iam_openid_connect_provider" "github" {
  count = var.github_oidc_provider_arn == null ? 1 : 0

  url            = "https://${local.github_oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  # IAM validates GitHub's tokens against its own trusted certificate authorities; no thumbprint pin.
}

data "aws_iam_policy_document" "github_deploy_trust" {
  statement {
    sid     = "GitHubDeployJobOfThisRepositoryAndEnvironment"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [local.github_deploy_subject]
    }
  }
}

resource "aws_iam_role" "github_deploy" {
  name               = "${var.service_name}-github-deploy"
  description        = "Deploys ${var.service_name} from GitHub Actions (${local.github_deploy_subject})"
  assume_role_policy = data.aws_iam_policy_document.github_deploy_trust.json
  # The deploy job may run 90 minutes (build, stability wait, verification); its credentials must
  # outlast it, or a slow deploy ends in ExpiredToken instead of a verdict. The workflow asks for
  # this duration (role-duration-seconds; tests/infra ties the two to the job's timeout).
  max_session_duration = 7200
}

resource "aws_iam_role_policy" "github_deploy" {
  name   = "deploy-${var.service_name}"
  role   = aws_iam_role.github_deploy.id
  policy = data.aws_iam_policy_document.github_deploy.json
}

data "aws_iam_policy_document" "github_deploy" {
  # GetAuthorizationToken has no resource-level permissions: "*" is the only resource it accepts.
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  # Push (and look up an already pushed tag, so a re-run reuses its digest) in this repository only.
  statement {
    sid = "PushToThisRepository"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [aws_ecr_repository.service.arn]
  }

  # Task definition registration and description accept no resource scope in IAM ("*" only).
  statement {
    sid = "RegisterAndDescribeTaskDefinitions"
    actions = [
      "ecs:DescribeTaskDefinition",
      "ecs:RegisterTaskDefinition",
    ]
    resources = ["*"]
  }

  # The rendered revisions carry their family's tags (the project's default tags), and ECS authorises
  # tags given at registration as ecs:TagResource: allowed on the service's and the admin task's
  # families (each deploy registers both with the deployed image), during registration only.
  statement {
    sid     = "TagOwnRevisionsWhenRegistering"
    actions = ["ecs:TagResource"]
    resources = [
      "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${aws_ecs_task_definition.service.family}:*",
      "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${aws_ecs_task_definition.admin.family}:*",
    ]

    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RegisterTaskDefinition"]
    }
  }

  statement {
    sid = "UpdateAndDescribeThisService"
    actions = [
      "ecs:DescribeServices",
      "ecs:UpdateService",
    ]
    # The service's ARN: provider 5.x exposes it as id (6.x also as arn).
    resources = [aws_ecs_service.service.id]
  }

  # The new revisions name the same roles as the live ones (the service's two, the admin task's two);
  # ECS may receive them, nothing else may.
  statement {
    sid       = "PassTheTaskRolesToEcsTasksOnly"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.execution.arn, aws_iam_role.task.arn, aws_iam_role.admin_execution.arn, aws_iam_role.admin_task.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  # An environment that promotes images another environment tested (production from staging) copies
  # them by digest from that repository: read access there, nothing else.
  dynamic "statement" {
    for_each = var.promote_from_ecr_repository_arn == null ? [] : [var.promote_from_ecr_repository_arn]

    content {
      sid = "ReadTheRepositoryImagesArePromotedFrom"
      actions = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:DescribeImages",
        "ecr:GetDownloadUrlForLayer",
      ]
      resources = [statement.value]
    }
  }
}
