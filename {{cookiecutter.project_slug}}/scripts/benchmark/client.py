"""The tool's own HTTP client: signs users in, and sends the counted requests.

The standard library's ``http.client`` over one kept-alive connection, as a
TLS-terminating proxy would forward it: plain HTTP with
``X-Forwarded-Proto: https``. Cookies are kept by hand: a client cookie jar
would refuse to send ``Secure`` cookies over plain HTTP, which is what the
proxy does on the browser's behalf.
"""

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

SESSION_COOKIE = "__Host-sessionid"
LOGIN_PATH = "/accounts/login/"
PASSWORD = "benchmark password, not a secret 42"  # noqa: S105
FORWARDED = {"X-Forwarded-Proto": "https"}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CURRENT_USER = re.compile(r'id="current-user">([^<]+)<')


class Client:
    def __init__(self, address):
        self.origin = f"https://{address[0]}:{address[1]}"
        self.connection = http.client.HTTPConnection(*address, timeout=30)
        self.cookies = {}

    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def send(self, method, path, body=None, headers=None):
        """One request; returns the status, the body and the names of the cookies set."""
        headers = {**FORWARDED, **(headers or {})}
        headers.setdefault("Cookie", self.cookie_header())
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read().decode(errors="replace")
        names = []
        for line in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(line).items():
                names.append(name)
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, content, names

    def close(self):
        self.connection.close()


def sign_in(address, username):
    """Sign ``username`` in through the login form; returns the ``Cookie`` header to send."""
    client = Client(address)
    try:
        status, page, _ = client.send("GET", LOGIN_PATH)
        token = CSRF_FIELD.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: status {status}, CSRF token found: {bool(token)}")
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]}
        status, _, _ = client.send(
            "POST",
            LOGIN_PATH,
            body=urlencode(form),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": client.origin,
                "Referer": client.origin + LOGIN_PATH,
            },
        )
        if status != 302 or SESSION_COOKIE not in client.cookies:
            raise RuntimeError(f"sign-in of {username} failed: status {status}")
        check_home(client, username)
        return client.cookie_header()
    finally:
        client.close()


def check_home(client, username, cookie=None):
    """``GET /`` answers the signed-in page of ``username``; returns the cookies it set."""
    status, page, names = client.send("GET", "/", headers={"Cookie": cookie} if cookie else None)
    shown = CURRENT_USER.search(page)
    if status != 200 or shown is None or shown[1] != username:
        who = shown[1] if shown else None
        raise RuntimeError(f"GET / as {username}: status {status}, signed in as {who}")
    return names


def counted_requests(address, users, n):
    """``n`` authenticated ``GET /``, round-robin over ``users`` ({username: cookie}).

    The cookies sent stay those of the sign-in, as the load generator's do.
    Returns how many responses set the session cookie, and cookies at all.
    """
    client = Client(address)
    session_cookies = set_cookies = 0
    try:
        people = list(users.items())
        for i in range(n):
            username, cookie = people[i % len(people)]
            names = check_home(client, username, cookie)
            set_cookies += len(names)
            session_cookies += SESSION_COOKIE in names
    finally:
        client.close()
    return {"session_cookie": session_cookies, "set_cookie": set_cookies}
