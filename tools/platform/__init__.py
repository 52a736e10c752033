"""One command up, one down: an environment from an empty AWS account to a deployed service, and back.

    python3 -m tools.platform up staging          # or: make up ENV=staging
    python3 -m tools.platform up staging --plan   # each stack's plan, nothing applied
    python3 -m tools.platform down staging        # or: make down ENV=staging

`up` checks what it needs first (terraform, the AWS CLI and whose credentials, Docker and a builder
for the environment's architecture), then takes the steps of docs/deploy.md's first-time setup in
order: the account's state bucket (first time only), network, database, ecs without tasks, the first
image, the deploy of that image, the admin task that creates the service's database roles, and a
first API key; it prints the service's URL and where the key is. Every step looks at what exists
first, so an interrupted run is continued by running the same command again. `down` is the teardown
of docs/infrastructure.md in reverse order, keeping the database's final snapshot and its key unless
told to delete the data. docs/environments.md explains the environments; docs/deploy.md the steps.

The parts that talk to AWS (parts.py) are objects the steps are given; the emulator run of this
command (tests/platform) gives stand-ins where the emulator cannot do a step, and each stand-in names
itself in the output.
"""
