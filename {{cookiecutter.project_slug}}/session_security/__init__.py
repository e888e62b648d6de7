"""The session-security layer: timeouts, rotation, binding, revocation, audit.

One concern per package or module:

- ``storage``: Django's four engines, hardened, and which one runs
  (``DJANGO_SESSION_ENGINE``);
- ``registry``: the server-side row of every signed-in session, which makes
  revocation work on every engine; ending sessions on purpose;
- ``policy``: the rules (idle, absolute, rotation, binding), as a plan;
- ``middleware``: carries the plan out on each request; authentication from
  the registry read;
- ``state``: what the layer knows about one request (``request.session_security``);
- ``session_data``: what the layer keeps inside each session;
- ``recent_auth``: sudo mode before sensitive changes;
- ``clientip``: the client address, read through trusted proxies only;
- ``receivers``: sign-in, sign-out and deactivation;
- ``audit``: one structured log line per session event, keys hashed;
- ``device_names``: readable device names for the session list;
- ``checks``: system checks for what Django's ``check --deploy`` misses.
"""
