"""PostgreSQL with a password and ``sslmode=verify-full``, for real.

A PostgreSQL server of its own (``initdb`` as the ``postgres`` user, as
``tests/fixtures/services.py`` does) with ``ssl=on``, a certificate from a
throwaway CA (``tests/fixtures/tls.py``), SCRAM passwords, and a
``pg_hba.conf`` whose every TCP line is ``hostssl``: a plain-text client is
refused by the server itself.

- ``DATABASE_URL=postgres://...?sslmode=verify-full&sslrootcert=CA``
  migrates, and a user signs in through gunicorn (the ``db`` engine: the
  session is in this database, over TLS).
- A CA that did not sign the server's certificate, ``sslmode=disable`` and
  a wrong password each stop ``migrate`` (start-up), and on a running
  server the sign-in is a 500 (never a session store doing without) whose
  log names ``DATABASE_URL``.
"""

import shutil
from urllib.parse import quote, urlencode

import pytest

from tests.fixtures.servers import AppServer, Browser, manage, prepare_database, production_env
from tests.fixtures.services import PostgresCluster, postgresql_bindir, skip_missing

pytestmark = [pytest.mark.services, pytest.mark.standalone]


class TlsPostgresCluster(PostgresCluster):
    """A cluster that takes TCP connections over TLS only, with SCRAM passwords."""

    def __init__(self, bindir, ca, *, run_as=None):
        super().__init__(bindir, run_as=run_as)
        self.ca = ca

    def start_server(self):
        # The server reads its key only if its own user owns it, mode 0600.
        for name, source in (("server.crt", self.ca.cert_file), ("server.key", self.ca.key_file)):
            target = self.root / name
            shutil.copyfile(source, target)
            target.chmod(0o600)
            if self.run_as:
                shutil.chown(target, self.run_as, self.run_as)
        hba = self.data / "pg_hba.conf"
        lines = hba.read_text().splitlines()
        # initdb's "host" lines become "hostssl": no "host" line is left for plain text.
        hba.write_text(
            "\n".join("hostssl" + line[4:] if line.startswith("host ") else line for line in lines)
            + "\n"
        )
        self.extra_options = (
            f"-c ssl=on -c ssl_cert_file={self.root / 'server.crt'} "
            f"-c ssl_key_file={self.root / 'server.key'} -c password_encryption=scram-sha-256"
        )
        return super().start_server()


@pytest.fixture(scope="module")
def tls_postgresql(tls_ca):
    import os
    import pwd

    bindir = postgresql_bindir()
    if bindir is None:
        skip_missing("PostgreSQL (initdb, pg_ctl)", "postgresql")
    run_as = None
    if os.geteuid() == 0:
        run_as = "postgres"
        try:
            pwd.getpwnam(run_as)
        except KeyError:
            skip_missing("the 'postgres' user to run PostgreSQL as", "postgresql")
    cluster = TlsPostgresCluster(bindir, tls_ca, run_as=run_as)
    try:
        server = cluster.start()
        server.host = "localhost"  # verify-full checks the name against the certificate
        yield server
    finally:
        cluster.stop()


def database_url(server, name, *, password=None, **query):
    credentials = f"{server.user}:{quote(password or server.password, safe='')}"
    return f"postgres://{credentials}@localhost:{server.port}/{name}?{urlencode(query)}"


def verified(ca):
    return {"sslmode": "verify-full", "sslrootcert": str(ca.ca_file)}


@pytest.fixture(scope="module")
def migrated(tls_postgresql, tls_ca):
    """A migrated database holding ``alice``, reached with verify-full."""
    name = tls_postgresql.create_database("tls")
    url = database_url(tls_postgresql, name, **verified(tls_ca))
    prepare_database(production_env(DATABASE_URL=url))
    return name


def test_verify_full_migrates_and_signs_in_over_tls(tls_postgresql, tls_ca, migrated):
    env = production_env(
        DATABASE_URL=database_url(tls_postgresql, migrated, **verified(tls_ca)),
        DJANGO_SECURE_PROXY_SSL_HEADER="on",
    )
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')\n"
        "    print(c.fetchone()[0])\n"
    )
    assert manage(env, "shell", "--no-imports", "-c", script).strip() == "True"
    with AppServer(env) as server, Browser() as browser:
        browser.sign_in(server)
        assert browser.whoami(server) == "alice"


MISTAKES = {
    "another CA": lambda ca, other: {"query": verified(other)},
    "plain text": lambda ca, other: {"query": {"sslmode": "disable"}},
    "wrong password": lambda ca, other: {"query": verified(ca), "password": "not-it"},
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_database_that_cannot_be_trusted_stops_start_up_and_requests(
    tls_postgresql, tls_ca, other_tls_ca, migrated, mistake
):
    options = MISTAKES[mistake](tls_ca, other_tls_ca)
    url = database_url(
        tls_postgresql, migrated, password=options.get("password"), **options["query"]
    )
    env = production_env(DATABASE_URL=url, DJANGO_SECURE_PROXY_SSL_HEADER="on")
    with pytest.raises(RuntimeError, match="failed"):
        manage(env, "migrate", "--check")
    with AppServer(env) as server, Browser() as browser:
        response = browser.post(
            server, "/accounts/login/", {"username": "alice", "password": "x" * 12}
        )
        assert response.status_code == 500, response.status_code
        assert "DATABASE_URL" in server.log(), server.log()[-2000:]
