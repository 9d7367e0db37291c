"""The team server's shared state, on PostgreSQL (``CWM_DATABASE_URL``).

- ``database``: the connection pool and the explicit, versioned migrations
- ``vault``: each subject's ConnectWise keys, encrypted with ``CWM_SECRET_KEY``
- ``saved_queries``: ``SubjectMemory``, one subject's saved queries, with ``MemoryStore``'s interface
- ``audit``: ``SubjectAudit``, the write audit trail with the subject who acted
- ``users``: the ``cwm-gateway users`` commands

Only the team server and the ``users`` command import this package: the stdio server never loads
psycopg or cryptography (the ``server`` extra).
"""
