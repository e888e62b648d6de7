"""Names of the values this layer keeps inside each session."""

# The id of the session's row in the registry (never a session key).
RECORD_KEY = "_ss_record"
# How many times the key was rotated; the registry knows the current one.
GENERATION_KEY = "_ss_generation"
