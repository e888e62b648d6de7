"""The project under ASGI: served by uvicorn, and in-process through AsyncClient.

Under ASGI the session middleware must run natively async: Django wraps a
sync-only middleware in ``sync_to_async``, one thread hop per request in each
direction, and the session work would then happen off the event loop. Here
the async test asserts where the middleware ran, not only what it returned.
"""

import subprocess
import sys
import threading

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction
from django.conf import settings

from session_security.middleware.sessions import SessionSecurityMiddleware
from tests.conftest import PASSWORD, AsyncHttpsClient
from tests.fixtures.servers import PROJECT_DIR, AppServer, Browser, production_env, replay_on

# --- Served by uvicorn -----------------------------------------------------


@pytest.mark.standalone  # the engines are its parameters
@pytest.mark.parametrize("engine_name", ["db", pytest.param("cache", marks=pytest.mark.services)])
def test_sign_in_use_and_sign_out_under_uvicorn(engine_name, app_env):
    with AppServer(app_env(engine_name), kind="uvicorn") as server, Browser() as browser:
        browser.sign_in(server)
        copied = browser.session_cookie
        home = browser.get(server, "/")
        assert home.status_code == 200
        assert "no-store" in home.headers["Cache-Control"]  # set on the way out
        assert browser.whoami(server) == "alice"

        browser.sign_out(server)
        assert browser.whoami(server) is None
        assert replay_on(server, copied) is None


# --- Persistent connections ------------------------------------------------

CONN_MAX_AGE = (
    "import {module}\n"
    "from django.conf import settings\n"
    "print(settings.DATABASES['default']['CONN_MAX_AGE'])\n"
)


def conn_max_age(module, **environment):
    """``CONN_MAX_AGE`` as a fresh process importing ``module`` (an entry point) sees it."""
    result = subprocess.run(
        [sys.executable, "-c", CONN_MAX_AGE.format(module=module)],
        cwd=PROJECT_DIR,
        env=production_env(**environment),  # nothing inherited: unset unless given
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return int(result.stdout.strip())


def test_persistent_connections_are_off_under_asgi_unless_asked_for():
    """Under ASGI each thread of the sync pool would keep a connection of its
    own (PostgreSQL ran out of them): the ASGI entry point defaults to 0, the
    WSGI one keeps 60, and an explicit value wins under both."""
    assert conn_max_age("config.asgi") == 0
    assert conn_max_age("config.wsgi") == 60
    assert conn_max_age("config.asgi", DJANGO_CONN_MAX_AGE="30") == 30
    assert conn_max_age("config.wsgi", DJANGO_CONN_MAX_AGE="0") == 0


# --- In-process, through Django's ASGI handler ------------------------------


def middleware_chain(handler):
    """The middleware instances an ASGI handler built, outermost first."""
    found, step = [], handler._middleware_chain
    while step is not None:
        step = getattr(step, "__wrapped__", step)  # convert_exception_to_response
        found.append(step)
        step = getattr(step, "get_response", None)
    return found


def session_middleware(handler):
    instances = [m for m in middleware_chain(handler) if isinstance(m, SessionSecurityMiddleware)]
    assert len(instances) == 1, middleware_chain(handler)
    return instances[0]


@pytest.fixture
def loop_watch(monkeypatch):
    """Records where the middleware's steps ran: ``(step, thread)`` in order.

    ``enforce`` is the request side (load, registry read, the plan's writes),
    ``save`` the response side's save; ``hop`` marks a call handed to a
    thread with ``sync_to_async``.
    """
    from asgiref.sync import sync_to_async

    from session_security.middleware import cookies, sessions

    steps = []
    enforce, save = SessionSecurityMiddleware.enforce, cookies.save

    def watched_enforce(self, request):
        steps.append(("enforce", threading.get_ident()))
        return enforce(self, request)

    def watched_save(request, response):
        steps.append(("save", threading.get_ident()))
        return save(request, response)

    def counted_hop(function):
        steps.append(("hop", threading.get_ident()))
        return sync_to_async(function)

    monkeypatch.setattr(SessionSecurityMiddleware, "enforce", watched_enforce)
    monkeypatch.setattr(cookies, "save", watched_save)
    monkeypatch.setattr(sessions, "sync_to_async", counted_hop)
    return steps


@pytest.mark.django_db
def test_the_session_middleware_runs_on_the_event_loop(engine, async_client, user, loop_watch):
    cookie_name = settings.SESSION_COOKIE_NAME

    async def round_trip():
        loop_thread = threading.get_ident()
        assert (await async_client.get("/accounts/login/")).status_code == 200
        response = await async_client.post(
            "/accounts/login/", {"username": "alice", "password": PASSWORD}
        )
        assert response.status_code == 302 and response["Location"] == "/"
        copied = async_client.cookies[cookie_name].value

        home = await async_client.get("/")
        assert home.status_code == 200
        assert 'id="current-user">alice<' in home.text

        assert (await async_client.post("/accounts/logout/")).status_code == 302
        after = await async_client.get("/")
        assert after.status_code == 302 and after["Location"].startswith("/accounts/login/")

        attacker = AsyncHttpsClient()
        attacker.cookies[cookie_name] = copied
        replayed = await attacker.get("/")
        assert replayed.status_code == 302
        assert replayed["Location"].startswith("/accounts/login/")
        return loop_thread

    loop_thread = async_to_sync(round_trip)()

    middleware = session_middleware(async_client.handler)
    assert middleware.async_mode
    assert iscoroutinefunction(middleware)
    # Six requests; three carried a session cookie (home, sign-out, the replay):
    # each made one thread hop for all of its store and registry work. The
    # three without one (the login page, the sign-in, the page after
    # sign-out) made none before the view, and the sign-in one to save.
    names = [name for name, _ in loop_watch]
    assert names.count("enforce") == 6
    assert names.count("hop") == 4 and names.count("save") == 1
    on_loop = [name for name, thread in loop_watch if thread == loop_thread]
    assert on_loop.count("enforce") == 3 and on_loop.count("hop") == 4
    assert "save" not in on_loop  # saved in its thread, never on the loop
