"""The session-security layer: timeouts, rotation, binding, revocation, audit.

Each concern lives in its own module:

- ``engines``: which session engine runs, chosen by ``DJANGO_SESSION_ENGINE``;
- ``backends``: Django's four engines, hardened (store outages, rotation grace);
- ``models`` and ``registry``: the server-side record of every signed-in
  session, which makes revocation work on every engine;
- ``state``: what the layer knows about one request (``request.session_security``);
- ``policy``: the pure rules (idle, absolute, rotation, binding), as a plan;
- ``middleware``: carries the plan out on each request, sync and async;
- ``native``: the base of middleware that runs natively in both modes;
- ``authentication``: Django's ``get_user`` checks on the user the registry
  read brought, so authentication costs no query of its own;
- ``epoch``: the per-user session epoch every auth hash covers;
- ``secret_keys``: which secret key signed a session, to end retired ones;
- ``revocation``: ending sessions on purpose (one, a user's, everyone's);
- ``recent_auth``: sudo mode before sensitive changes;
- ``clientip``: the client address, read through trusted proxies only;
- ``device_binding``, ``device_binding_middleware``, ``views``: device-bound
  sessions (DBSC): the protocol, the response headers, the two endpoints;
- ``devices``: readable device names for the session list;
- ``receivers``: login, logout and deactivation hooks;
- ``audit``: one structured log line per session event, keys hashed;
- ``logfilters``: a refused ``Host`` header logged as one audit line;
- ``checks``: system checks for what Django's ``check --deploy`` misses.
"""
