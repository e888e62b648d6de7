"""What this layer keeps inside each session, and how long a store keeps it."""

import uuid

# The id of the session's row in the registry (never a session key).
RECORD_KEY = "_ss_record"
# How many times the key was rotated; the registry knows the current one.
GENERATION_KEY = "_ss_generation"

# A stored session outlives its absolute end by this much, so that the
# middleware, not the store, is the one to end it and log why.
STORE_MARGIN_SECONDS = 60


def parse_record_id(value):
    """The registry id stored in a session, or ``None`` if absent or garbled."""
    try:
        return uuid.UUID(value) if value else None
    except (TypeError, ValueError, AttributeError):
        return None
