"""The service's database password never reaches a statement log, and rotating it keeps every task's
login valid.

A PostgreSQL server of the test's own logs every statement with its parameters (`log_statement = all`,
`log_min_duration_statement = 0`); the service's secret lives in the AWS emulator, as on AWS. The
bootstrap and two rotations run as the admin task runs them, then the server's log is searched for each
password the secret ever held.
"""
import json

import pytest

from support.credentials import (
    GROUP,
    ServiceSecret,
    StatementLoggingPostgres,
    admin_task,
    service_environment,
    temporary_directory,
    terraform_like_password,
)
from support.service import Service, order_body


@pytest.fixture(scope="module")
def postgres():
    server = StatementLoggingPostgres().start()
    yield server
    server.stop()


def test_bootstrap_and_rotations_leave_no_password_in_the_statement_log(postgres):
    database = "credentials_drill"
    postgres.create_database(database)
    first_login = {"username": f"{GROUP}_a", "password": terraform_like_password()}
    secret = ServiceSecret(temporary_directory()).start(**first_login)
    passwords = [first_login["password"]]
    instance = None
    try:
        bootstrap = admin_task(postgres, database, "admin", "bootstrap-database", login=first_login)
        assert bootstrap.returncode == 0, bootstrap.stderr
        assert postgres.can_log_in(database, first_login["username"], first_login["password"])
        # The login acts as the group, whose schema it uses; the other login cannot log in yet.
        as_login = postgres.psql(database, "SELECT current_user || ' ' || current_setting('search_path')",
                                 user=(first_login["username"], first_login["password"]))  # fmt: skip
        assert as_login == f"{GROUP} {GROUP}"
        assert postgres.psql(database, f"SELECT rolcanlogin FROM pg_roles WHERE rolname = '{GROUP}'") == "f"

        # A task started now: it migrates, and its tables belong to the group.
        instance = Service(service_environment(postgres, database, first_login)).start(wait_for="/health/ready")
        # A key made by the admin task (as the service's login), handed to a secret only the operator reads.
        created = admin_task(postgres, database, "keys", "create", "--customer", "c-1", "--to-secretsmanager",
                             "orders-service/api-keys/c-1", secret=secret, login=first_login)  # fmt: skip
        assert created.returncode == 0, created.stderr
        token = secret.client().get_secret_value(SecretId="orders-service/api-keys/c-1")["SecretString"]
        assert token not in created.stdout + created.stderr
        assert instance.post_order(token, order_body()).status == 201
        owners = postgres.psql(database, f"SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = '{GROUP}'")
        assert owners == GROUP

        rotation = admin_task(postgres, database, "admin", "rotate-service-password", secret=secret)
        assert rotation.returncode == 0, rotation.stderr
        second_login = secret.current()
        passwords.append(second_login["password"])
        assert second_login["username"] == f"{GROUP}_b" and len(second_login["password"]) == 43
        assert postgres.can_log_in(database, second_login["username"], second_login["password"])
        assert postgres.can_log_in(database, first_login["username"], first_login["password"]), \
            "the login running tasks hold still works"  # fmt: skip
        assert instance.post_order(token, order_body()).status == 201

        # The next rotation would change the login the running task holds: refused while it is in use.
        refused = admin_task(postgres, database, "admin", "rotate-service-password", secret=secret)
        assert refused.returncode == 1
        assert f"still log in as {first_login['username']}" in refused.stderr
        assert secret.current() == second_login, "a refused rotation changes nothing"
        assert postgres.can_log_in(database, first_login["username"], first_login["password"])

        # Once a deployment has replaced that task, it goes through, back to the first login.
        instance.stop()
        instance = Service(service_environment(postgres, database, second_login)).start(wait_for="/health/ready")
        assert instance.post_order(token, order_body()).status == 201
        rotation = admin_task(postgres, database, "admin", "rotate-service-password", secret=secret)
        assert rotation.returncode == 0, rotation.stderr
        third_login = secret.current()
        passwords.append(third_login["password"])
        assert third_login["username"] == first_login["username"]
        assert postgres.can_log_in(database, third_login["username"], third_login["password"])
        assert not postgres.can_log_in(database, first_login["username"], first_login["password"])
        assert postgres.can_log_in(database, second_login["username"], second_login["password"])
        assert instance.post_order(token, order_body()).status == 201
    finally:
        if instance:
            instance.stop()
        secret.stop()

    log = postgres.log()
    changes = [line for line in log.splitlines()
               if "ALTER ROLE" in line and "PASSWORD" in line and "PASSWORD NULL" not in line]  # fmt: skip
    assert len(changes) >= 3 and all("SCRAM-SHA-256$4096:" in line for line in changes), \
        "the statement log holds the password changes, each with a verifier"  # fmt: skip
    matches = {f"password {index + 1}": log.count(password) for index, password in enumerate(passwords)}
    print(f"\nstatement log: {len(log.splitlines())} lines, {len(changes)} ALTER ROLE ... PASSWORD statements; "
          f"matches of each password: {json.dumps(matches)}")  # fmt: skip
    assert sum(matches.values()) == 0, matches


def test_the_one_role_layout_moves_to_the_two_logins(postgres):
    """A database bootstrapped when the service logged in as the group role itself: a rotation moves it
    to the first login, and the group loses its login once no task uses it any more."""
    database = "credentials_upgrade"
    postgres.create_database(database)
    legacy = {"username": GROUP + "_legacy", "password": terraform_like_password()}
    # The earlier layout: one role that logs in and owns the schema, made by hand here.
    postgres.psql(database, f"CREATE ROLE {legacy['username']} LOGIN")
    postgres.psql(database, f"GRANT {legacy['username']} TO CURRENT_USER")
    postgres.psql(database, f"CREATE SCHEMA {legacy['username']} AUTHORIZATION {legacy['username']}")
    postgres.psql(database, f"ALTER ROLE {legacy['username']} SET search_path = {legacy['username']}")
    bootstrap = admin_task(postgres, database, "admin", "bootstrap-database", login=legacy)
    assert bootstrap.returncode == 0, bootstrap.stderr
    assert postgres.can_log_in(database, legacy["username"], legacy["password"])

    secret = ServiceSecret(temporary_directory()).start(**legacy)
    instance = Service(service_environment(postgres, database, legacy)).start(wait_for="/health/ready")
    try:
        token = instance.create_key("c-1")
        assert instance.post_order(token, order_body()).status == 201
        rotation = admin_task(postgres, database, "admin", "rotate-service-password", secret=secret)
        assert rotation.returncode == 0, rotation.stderr
        moved = secret.current()
        assert moved["username"] == legacy["username"] + "_a"
        assert "keeps its login" in rotation.stderr, "the group keeps its login while a task uses it"
        assert postgres.can_log_in(database, legacy["username"], legacy["password"])

        instance.stop()
        instance = Service(service_environment(postgres, database, moved)).start(wait_for="/health/ready")
        assert instance.post_order(token, order_body()).status == 201, "the new login sees the old tables"
        again = admin_task(postgres, database, "admin", "bootstrap-database", login=moved)
        assert again.returncode == 0, again.stderr
        assert not postgres.can_log_in(database, legacy["username"], legacy["password"])
        assert instance.post_order(token, order_body()).status == 201
    finally:
        instance.stop()
        secret.stop()
