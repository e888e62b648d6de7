"""The benchmark's database: created, migrated, and given its users.

On the throwaway server a database ``benchmark`` is created; a database given
by URL is used as it is (it gets migrated and gets users: give a throwaway
one). Migrating runs with ``synchronous_commit`` off for its own connection
only (through libpq's ``PGOPTIONS``): only the measured requests need to wait
for the disk. Every user has the same password, hashed once.
"""

import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg

from scripts.benchmark.client import PASSWORD
from scripts.benchmark.servers import PROJECT_DIR

NAME = "benchmark"

SCRIPT = """
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command

call_command("migrate", verbosity=0, interactive=False)
User = get_user_model()
password = make_password({password!r})
User.objects.filter(username__in={usernames!r}).delete()
User.objects.bulk_create(User(username=name, password=password) for name in {usernames!r})
"""


def create(server_url):
    """A new database on the server of ``server_url``; returns its URL."""
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{NAME}"')
        connection.execute(f'CREATE DATABASE "{NAME}"')
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{NAME}"))


def prepare(env, usernames):
    """Migrate the database ``env`` names and (re)create ``usernames``."""
    code = SCRIPT.format(password=PASSWORD, usernames=list(usernames))
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=PROJECT_DIR,
        env={**env, "PGOPTIONS": "-c synchronous_commit=off"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrating the benchmark database failed:\n{result.stderr[-4000:]}")


def facts(url):
    """The server's version and how durable its commits are."""
    values = {}
    with psycopg.connect(url, autocommit=True) as connection:
        for name in ("server_version", "fsync", "synchronous_commit", "data_directory"):
            try:
                values[name] = connection.execute(f"SHOW {name}").fetchone()[0]
            except psycopg.Error:  # data_directory: superusers only
                values[name] = None
    return values
