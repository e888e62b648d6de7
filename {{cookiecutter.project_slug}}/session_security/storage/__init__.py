"""Where sessions are kept: Django's four engines, hardened."""
