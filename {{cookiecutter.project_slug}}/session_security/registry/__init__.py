"""The registry: one row per signed-in session, and ending sessions on purpose."""
