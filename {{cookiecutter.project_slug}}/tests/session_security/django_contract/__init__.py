"""Django's own session tests, run against the layer in a process of their own.

Django's ``sessions_tests`` app (fetched by ``tests/fixtures/django_tests.py``)
must be installed before Django starts, so it runs under Django's own runner:
``python -m tests.session_security.django_contract.run RESULTS.json``.
"""
