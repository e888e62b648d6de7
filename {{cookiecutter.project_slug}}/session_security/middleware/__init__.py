"""The layer's middleware: the session cycle and authentication.

- ``sessions``: ``SessionSecurityMiddleware``, in place of Django's
  ``SessionMiddleware``: loads the session and enforces the policy;
- ``authentication``: Django's ``AuthenticationMiddleware``, taking the user
  the registry read brought;
- ``responses``: the 503 (store down) and 409 (written during the grace) pages;
- ``base``: middleware that runs natively under both WSGI and ASGI.
"""
