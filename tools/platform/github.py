"""`github ENVIRONMENT`: the GitHub variables and the secret the workflows read (docs/deploy.md, step 7),
set with the GitHub CLI from the environment's outputs, so nobody copies them by hand.

The environment's variables come from its ecs outputs; the smoke test's key goes from Secrets Manager
into the environment's secret through the CLI's standard input, never onto a command line or into a
log. The environments themselves and their protection rules stay settings a person makes (who may
approve production is a decision, not an output).
"""

from __future__ import annotations

import json

from tools.platform.aws import Aws, StepFailed
from tools.platform.process import Runner
from tools.platform.terraform import Terraform

# Environment variable of the workflows -> ecs output (docs/deploy.md, step 7).
ENVIRONMENT_VARIABLES = {
    "AWS_REGION": "region",
    "AWS_DEPLOY_ROLE_ARN": "github_deploy_role_arn",
    "ECR_REPOSITORY": "ecr_repository_name",
    "ECS_CLUSTER": "cluster_name",
    "ECS_SERVICE": "service_name",
    "ECS_TASK_FAMILY": "task_family",
    "ECS_CONTAINER_NAME": "container_name",
    "ECS_ADMIN_TASK_FAMILY": "admin_task_family",
    "SERVICE_URL": "service_url",
    "DEPLOYMENT_DEADLINE_SECONDS": "deployment_deadline_seconds",
}
SMOKE_TEST_SECRET = "SMOKE_TEST_API_KEY"


class GitHubSettings:
    """The variables and the secret of one GitHub environment, from one Terraform environment."""

    def __init__(self, terraform: Terraform, aws: Aws, runner: Runner, gh: list[str], key_secret: str):
        self.terraform = terraform
        self.aws = aws
        self.runner = runner
        self.gh = gh
        self.key_secret = key_secret

    def variable(self, name: str, value: object, environment: str | None) -> None:
        """gh variable set NAME, on the environment (or on the repository when ENVIRONMENT is None)."""
        scope = ["--env", environment] if environment else []
        self.runner.run([*self.gh, "variable", "set", name, *scope, "--body", str(value)], label=f"gh-variable-{name}")

    def apply(self, promote_from: str | None) -> str:
        """Set every variable and the secret; one line saying what was set."""
        environment = self.terraform.environment
        outputs = self.terraform.outputs("ecs")
        missing = [output for output in ENVIRONMENT_VARIABLES.values() if outputs.get(output) in (None, "")]
        if missing:
            raise StepFailed(f"the ecs stack of {environment} lacks outputs {', '.join(missing)}: run `up` first")
        for name, output in ENVIRONMENT_VARIABLES.items():
            self.variable(name, outputs[output], environment)
        if promote_from:
            source = self.terraform.outputs("ecs", workspace=promote_from)
            self.variable("PROMOTE_FROM_ECR_REPOSITORY_URL", source["ecr_repository_url"], environment)
        # Every environment must run one architecture: the build job reads it before any environment.
        self.variable("CPU_ARCHITECTURE", outputs["cpu_architecture"], None)
        answer = self.runner.run([*self.aws.command, "secretsmanager", "get-secret-value", "--secret-id", self.key_secret,
                                  "--output", "json"], label="aws-get-smoke-test-key", secret_output=True).stdout
        key = json.loads(answer)["SecretString"]
        self.runner.run([*self.gh, "secret", "set", SMOKE_TEST_SECRET, "--env", environment], input_text=key,
                        label="gh-secret-set")
        count = len(ENVIRONMENT_VARIABLES) + (1 if promote_from else 0)
        return (f"{count} variables of environment {environment}, CPU_ARCHITECTURE of the repository, and the "
                f"secret {SMOKE_TEST_SECRET} (from {self.key_secret})")
