"""The browser's id across a sign-out's ``Clear-Site-Data: "cookies"``.

Sign-out tells the browser to drop every cookie (ASVS 14.3.1), the browser's
id too, even one set again on that same response (Chromium clears after it).
Without it, the next sign-in from the owner's own browser would mail as a new
browser. So the sign-out's redirect goes through ``keep/`` with a pass: the id
and the client address, signed with a salt of its own, valid for ``MAX_AGE``
seconds and once (the shared rate counters count its uses), taken only from
the same address in a same-origin navigation (the sign-out's own redirect, not
a link in a mail or on another site: nobody can plant their id in another's
browser). ``keep/`` sets the cookie again and redirects where the sign-out was
going. The id carries no session state: the pass signs nobody in.
"""

from urllib.parse import urlencode

from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme

from session_security import counters
from session_security.sign_in_alerts import recognition
from session_security.state import state_of

SALT = "session_security.sign_in_alerts.kept"
MAX_AGE = 60


def carry(request, response):
    """On a redirect that clears cookies: go through ``keep/`` with the pass first."""
    browser = recognition.browser_id(request)
    location = response.headers.get("Location", "")
    if browser and "cookies" in response.headers.get("Clear-Site-Data", "") and local(location):
        token = signing.dumps({"b": browser, "ip": state_of(request).ip}, salt=SALT)
        query = urlencode({"pass": token, "next": location})
        response["Location"] = f"{reverse('sign_in_alerts:keep')}?{query}"


def local(location):
    """A path of this site (``/...``), never another host's address."""
    return location.startswith("/") and url_has_allowed_host_and_scheme(location, None)


def restore(request, token):
    """The browser id a valid pass carries, the first time it is presented; else ``None``."""
    if request.headers.get("Sec-Fetch-Site") != "same-origin":
        return None
    state = state_of(request)
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        browser, ip = str(data["b"]), data["ip"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    if ip != state.ip:
        return None
    used = salted_hmac(SALT, token, algorithm="sha256").hexdigest()[:32]
    if counters.hit(f"kept-browser:{used}", MAX_AGE * 2, state.now) != 1:
        return None
    return browser
