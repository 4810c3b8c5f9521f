"""CRM sync (HubSpot, Salesforce): external references, the outbox, conflicts and the sync journal.

Importing this package installs the outbox listeners on every SQLAlchemy Session (``bdr_desk.crm.outbox``),
so any process that maps the sync tables (``bdr_desk.schema`` imports ``bdr_desk.crm.models``) records local
changes for push.
"""

from bdr_desk.crm import outbox as _outbox

_outbox.install()
