"""The emulator's server (tools/infra/emulator_server.py), plus: every RDS DB instance gets a resource id of its own.

moto gives every instance the same DbiResourceId (a constant in moto 5.x), so with two instances in
one account the AWS provider's waiter, which looks an instance up by that id, finds two and reports
the new one missing. AWS gives each instance a unique id; so does this server, and nothing else
differs. The rehearsal (two environments' databases in one account) starts it in moto_server's place:
`python -m tests.platform.unique_rds_ids ARGS` takes moto_server's arguments, and serves moto as
tools/infra/emulator_server.py does.
"""

import secrets
import string
import sys

from moto.rds import models

from tools.infra.emulator_server import main

_original_init = models.DBInstance.__init__


def _init_with_unique_resource_id(self, *arguments, **keywords):
    _original_init(self, *arguments, **keywords)
    self.dbi_resource_id = "db-" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(26))


models.DBInstance.__init__ = _init_with_unique_resource_id

if __name__ == "__main__":
    main(sys.argv[1:])
