"""Every ``EMAIL_URL`` scheme either delivers a password-reset mail or stops start-up.

Each scheme is tried on a real gunicorn instance started with that
``EMAIL_URL``: a user asks for a password reset, and the mail is looked for
where the scheme sends it: an SMTP server of the test's own on loopback
(plain, STARTTLS and implicit TLS, with a throwaway certificate the app
server is told to trust), a directory, the server's console. Schemes no
backend can use are refused at start-up, naming the variable.
"""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.environment import mailer
from tests.fixtures.mail import RESET_LINK, SmtpServer, reset_link
from tests.fixtures.servers import PROJECT_DIR, AppServer, Browser, production_env

# Sets up what it tests itself (mail settings; the servers run the db engine).
pytestmark = [pytest.mark.services, pytest.mark.standalone]

# Every server here counts resets in the one database they share: delivery, not
# throttling, is tested, so the limits are lifted (throttling has its own tests).
UNTHROTTLED = {
    "DJANGO_PASSWORD_RESET_ADDRESS_LIMIT": "1000",
    "DJANGO_PASSWORD_RESET_CLIENT_LIMIT": "1000",
}


@pytest.fixture
def app_env(app_env):
    return lambda engine, **overrides: app_env(engine, **UNTHROTTLED | overrides)


def request_reset(env, address):
    """Ask for a reset on a server started with ``env``; returns its log."""
    with AppServer(env) as server, Browser() as browser:
        response = browser.post(server, "/accounts/password/reset/", {"email": address})
        assert response.status_code == 302, response.text[:500]
        assert response.headers["Location"] == "/accounts/password/reset/sent/"
        log = server.log()
    # Django logs a mail it could not send and still answers 302: look.
    assert "Failed to send" not in log and "Traceback" not in log, log[-3000:]
    return log


def smtp_cases():
    return [
        pytest.param("smtp", None, False, id="smtp"),
        pytest.param("smtp+tls", True, False, id="smtp+tls"),
        pytest.param("smtp+ssl", True, True, id="smtp+ssl"),
    ]


@pytest.mark.parametrize(("scheme", "tls", "implicit"), smtp_cases())
def test_smtp_schemes_deliver(scheme, tls, implicit, app_env, mail_user, request):
    certificate = request.getfixturevalue("tls_certificate") if tls else None
    with SmtpServer(certificate, implicit_tls=implicit) as smtp:
        env = app_env("db", EMAIL_URL=f"{scheme}://127.0.0.1:{smtp.port}?timeout=10")
        if certificate:  # the server's certificate is verified: trust ours
            env["SSL_CERT_FILE"] = str(certificate.certfile)
        request_reset(env, mail_user)
        assert len(smtp.messages) == 1
        recipients, content = smtp.messages[0]
        assert recipients == [mail_user]
        assert reset_link(content)


def test_a_wrong_certificate_is_refused_over_tls(app_env, mail_user, tls_certificate):
    """The STARTTLS form verifies the server: an untrusted certificate sends nothing."""
    with SmtpServer(tls_certificate) as smtp:
        env = app_env("db", EMAIL_URL=f"smtp+tls://127.0.0.1:{smtp.port}?timeout=10")
        with AppServer(env) as server, Browser() as browser:
            browser.post(server, "/accounts/password/reset/", {"email": mail_user})
            log = server.log()
        assert not smtp.messages
        assert "CERTIFICATE_VERIFY_FAILED" in log


def test_filemail_writes_to_the_absolute_directory(app_env, mail_user, tmp_path):
    directory = tmp_path / "outgoing"
    request_reset(app_env("db", EMAIL_URL=f"filemail://{directory}"), mail_user)
    files = list(directory.iterdir())
    assert len(files) == 1
    raw = files[0].read_text().rsplit("\n" + "-" * 79, 1)[0]  # the separator after each mail
    assert reset_link(raw) and f"To: {mail_user}" in raw


def test_consolemail_prints_the_mail(app_env, mail_user):
    log = request_reset(app_env("db", EMAIL_URL="consolemail://"), mail_user)
    assert f"To: {mail_user}" in log
    raw = log[log.index("Content-Type: text/plain") :].rsplit("\n" + "-" * 79, 1)[0]
    assert reset_link(raw)


@pytest.mark.parametrize("url", ["memorymail://", "dummymail://"])
def test_memory_and_dummy_accept_the_mail(url, app_env, mail_user):
    request_reset(app_env("db", EMAIL_URL=url), mail_user)


@pytest.mark.django_db
def test_memorymail_keeps_the_mail_in_the_outbox(monkeypatch, settings, client, django_user_model):
    monkeypatch.setenv("EMAIL_URL", "memorymail://")
    settings.MAILERS = {"default": mailer("EMAIL_URL", default=None)}
    django_user_model.objects.create_user("carol", email="carol@example.org", password="x" * 20)
    from django.core import mail

    response = client.post("/accounts/password/reset/", {"email": "carol@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and RESET_LINK.search(mail.outbox[0].body)
    assert mail.outbox[0].to == ["carol@example.org"]


def test_a_false_word_in_the_query_is_false(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp://mail.example?email_use_tls=false")
    assert mailer("EMAIL_URL", default=None)["OPTIONS"]["use_tls"] is False


def test_url_parts_become_mailer_options(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp+ssl://user%40x:p%3Ass@mail.example:2465?timeout=7")
    assert mailer("EMAIL_URL", default=None) == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "mail.example",
            "port": 2465,
            "username": "user@x",
            "password": "p:ss",
            "use_ssl": True,
            "timeout": 7,
        },
    }


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("smtps://mail.example", "'smtps://' is ambiguous"),
        ("filemail://", "needs a directory"),
        ("smtp://", "needs a mail server host"),
        ("smtp://mail.example?bogus=1", "unknown option 'bogus'"),
        ("consolemail://?timeout=3", "unknown option 'timeout'"),
        ("smtp+tls://mail.example?email_use_ssl=true", "use_tls and use_ssl exclude each other"),
        ("smtp://mail.example?email_use_tls=perhaps", "use_tls='perhaps' is not a yes/no"),
        ("pigeon://x", "EMAIL_URL is not a valid URL"),
    ],
)
def test_unusable_urls_stop_start_up_naming_the_variable(url, says, monkeypatch):
    monkeypatch.setenv("EMAIL_URL", url)
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL") as refused:
        mailer("EMAIL_URL", default=None)
    assert says in str(refused.value)


def test_a_refused_url_stops_the_server_process():
    env = production_env(EMAIL_URL="filemail://")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: EMAIL_URL needs a directory" in result.stderr
