"""django-allauth on the session layer: sign-up, email verification and MFA, one session system.

allauth brings sign-up, email addresses, TOTP, recovery codes, passkeys and its re-authentication
pages; this package makes them go through the layer: each authentication step a new session key,
the layer's sudo window for every sensitive page of either, the project's sign-in page, sign-out,
password change and lockout. docs/allauth.md tells what each piece defends against.
"""
