"""The registry: one row per signed-in session, and ending sessions on purpose.

- ``records``: the row's life (created at sign-in, read on every request,
  touched, rotated, ended);
- ``revocation``: ending one session, a user's, or everyone's;
- ``epoch``: the per-user number every session's auth hash covers;
- ``secret_keys``: which secret key signed a session, to end retired ones.
"""
