"""The base of every anticipated failure. No imports: any layer (catalog, memory, server) may raise it."""


class UserFacingError(Exception):
    """An expected failure whose message tells the user what to do (missing catalog, unwritable store)."""
