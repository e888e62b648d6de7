"""The session-security layer: timeouts, rotation, binding, revocation, audit.

Each concern lives in its own module:

- ``engines``: which session engine runs, chosen by ``DJANGO_SESSION_ENGINE``;
- ``backends``: Django's four engines, hardened (store outages, rotation grace);
- ``models`` and ``registry``: the server-side record of every signed-in
  session, which makes revocation work on every engine;
- ``policy``: the pure rules (idle, absolute, rotation, binding);
- ``clientip``: the client address, read through trusted proxies only;
- ``middleware``: applies the policy to each request, sync and async;
- ``receivers``: login, logout and deactivation hooks;
- ``audit``: one structured log line per session event, keys hashed;
- ``checks``: system checks for what Django's ``check --deploy`` misses.
"""
