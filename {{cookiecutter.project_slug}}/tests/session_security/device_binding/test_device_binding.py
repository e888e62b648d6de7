"""Device-bound sessions (DBSC), on every engine, from both sides.

``DbscBrowser`` does what Chrome does. The attacker holds every cookie the
browser had, but not its private key.
"""

import base64
import hashlib
import hmac
import json
import logging

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from session_security.device_binding.models import DeviceKey
from session_security.device_binding.protocol import CHALLENGE_AHEAD_LEAD, challenge_lifetime
from session_security.models import SessionRecord
from tests.conftest import PASSWORD, HttpsClient, assert_refused, is_signed_in, sign_in
from tests.session_security.device_binding.dbsc import (
    BOUND_COOKIE,
    BrowserKey,
    DbscBrowser,
    challenge_of,
    registration_offer,
)

pytestmark = pytest.mark.django_db

COOKIE_AGE = 300


@pytest.fixture
def dbsc(settings):
    settings.SESSION_DEVICE_BOUND = True
    settings.SESSION_DEVICE_BOUND_COOKIE_AGE = COOKIE_AGE
    settings.SESSION_IDLE_TIMEOUT = 1800
    settings.SESSION_ROTATION_INTERVAL = 0


@pytest.fixture
def bound(client, user, engine, dbsc, clock):
    """Alice signed in with a DBSC browser that registered its key."""
    browser = DbscBrowser(client)
    response = sign_in(client)
    offer = registration_offer(response)
    assert offer is not None
    registered = browser.register(offer)
    assert registered.status_code == 200, registered.content
    return browser


def steal(client):
    """A copy of every cookie the browser holds."""
    attacker = HttpsClient()
    for name, morsel in client.cookies.items():
        attacker.cookies[name] = morsel.value
    return attacker


def test_sign_in_offers_registration(client, user, engine, dbsc):
    offer = registration_offer(sign_in(client))
    assert offer["path"] == "/dbsc/register"
    assert offer["algorithms"] == ["ES256", "RS256"]
    assert offer["challenge"] and offer["authorization"]


def test_registration_is_offered_on_the_sign_in_response_alone(
    client, user, engine, dbsc, clock, request_cost
):
    """Chrome 156 registers once per offer it sees, even with a registration in flight.

    So the offer rides on the sign-in response only: no later page offers it
    again, and deciding that writes nothing anywhere (no per-request claim).
    """
    assert registration_offer(sign_in(client)) is not None  # on the login redirect
    with request_cost() as cost:
        assert registration_offer(client.get("/")) is None  # not on the page it leads to
        clock.shift(30)
        assert registration_offer(client.get("/")) is None  # nor later
    assert cost.writes == 0, cost.describe()
    registered = DbscBrowser(client).register(registration_offer(sign_in(client)))
    assert registered.status_code == 200
    assert registration_offer(registered) is None  # nor on the registration's own answer


def test_no_offer_when_turned_off(client, user, engine, settings):
    settings.SESSION_DEVICE_BOUND = False
    assert registration_offer(sign_in(client)) is None


@pytest.mark.parametrize("algorithm", ["ES256", "RS256"])
def test_registration_binds_the_session(client, user, engine, dbsc, algorithm):
    browser = DbscBrowser(client, algorithm)
    response = browser.register(registration_offer(sign_in(client)))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    record = SessionRecord.objects.get(user=user)
    assert body["session_identifier"] == str(record.pk)
    assert body["refresh_url"] == "/dbsc/refresh"
    assert body["scope"]["origin"] == "https://testserver"
    assert body["scope"]["scope_specification"] == [
        {"type": "exclude", "domain": "testserver", "path": "/static"}
    ]
    credential = body["credentials"][0]
    assert credential["name"] == BOUND_COOKIE
    assert credential["attributes"] == "Path=/; Secure; HttpOnly; SameSite=Lax"
    cookie = response.cookies[BOUND_COOKIE]
    assert cookie["path"] == "/" and cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax" and int(cookie["max-age"]) == 300
    assert DeviceKey.objects.get(record=record).algorithm == algorithm
    assert is_signed_in(client.get("/"))


def test_the_session_cookie_alone_is_refused_once_bound(bound):
    attacker = HttpsClient()
    attacker.cookies["__Host-sessionid"] = bound.client.cookies["__Host-sessionid"].value
    assert_refused(attacker.get("/"))
    assert is_signed_in(bound.client.get("/"))  # the owner is not affected


def test_a_bound_cookie_of_another_session_is_worth_nothing(bound, django_user_model, settings):
    """The attacker binds a device on their own account, then pairs that valid,
    signed bound cookie with the victim's stolen session cookie: refused."""
    django_user_model.objects.create_user(username="mallory", password=PASSWORD)
    mallory = DbscBrowser(HttpsClient())
    assert (
        mallory.register(registration_offer(sign_in(mallory.client, "mallory"))).status_code == 200
    )
    assert is_signed_in(mallory.client.get("/"), username="mallory")
    own_bound_cookie = mallory.client.cookies[BOUND_COOKIE].value
    attacker = HttpsClient()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = bound.client.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    attacker.cookies[BOUND_COOKIE] = own_bound_cookie
    assert_refused(attacker.get("/"))
    assert is_signed_in(bound.client.get("/"))


def test_an_expired_bound_cookie_is_refused_until_a_signed_refresh(bound, clock):
    clock.shift(COOKIE_AGE + 1)
    assert_refused(steal(bound.client).get("/"))  # every cookie, copied: not enough
    refreshed = bound.refresh()
    assert refreshed.status_code == 200
    assert BOUND_COOKIE in refreshed.cookies
    assert is_signed_in(bound.client.get("/"))


def test_refresh_before_expiry_is_accepted(bound, clock):
    clock.shift(COOKIE_AGE - 100)  # Chrome refreshes early
    assert bound.refresh().status_code == 200
    clock.shift(150)  # past the first cookie's end, within the new one's
    assert is_signed_in(bound.client.get("/"))


def test_the_attacker_cannot_complete_a_refresh(bound, clock):
    clock.shift(COOKIE_AGE + 1)
    thief = DbscBrowser(steal(bound.client))  # the cookies, but its own key
    thief.session_id = bound.session_id
    first = thief.ask_challenge()
    assert first.status_code == 403
    response = thief.send_proof(thief.key.refresh_proof(challenge_of(first)))
    assert response.status_code == 400
    assert BOUND_COOKIE not in response.cookies
    assert_refused(thief.client.get("/"))


def b64(data):
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def forged_tokens(challenge, key):
    """Proofs an attacker might try, none signed by the registered key."""
    public_pem = key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    hs_input = f"{b64({'alg': 'HS256', 'typ': 'dbsc+jwt'})}.{b64({'jti': challenge})}"
    hs_signature = hmac.new(public_pem, hs_input.encode(), hashlib.sha256).digest()
    return {
        "alg none": f"{b64({'alg': 'none', 'typ': 'dbsc+jwt'})}.{b64({'jti': challenge})}.",
        # The classic confusion: the public key used as an HMAC secret.
        "HS256 with the public key": f"{hs_input}.{b64(hs_signature)}",
        "wrong typ": jwt.encode(
            {"jti": challenge}, key.private, algorithm="ES256", headers={"typ": "JWT"}
        ),
        "malformed": "not.a.jwt",
        "garbage": "\u00e9" * 50,
        "huge": "a" * 10000,
    }


@pytest.mark.parametrize(
    "kind", ["alg none", "HS256 with the public key", "wrong typ", "malformed", "garbage", "huge"]
)
def test_forged_proofs_are_refused_without_5xx(bound, clock, kind):
    clock.shift(COOKIE_AGE + 1)
    challenge = challenge_of(bound.ask_challenge())
    token = forged_tokens(challenge, bound.key)[kind]
    response = bound.send_proof(token)
    assert response.status_code == 400
    assert_refused(bound.client.get("/"))
    # The real key still works afterwards: a forged proof ends nothing.
    assert bound.refresh().status_code == 200


def test_a_replayed_challenge_is_refused(bound, clock):
    challenge = challenge_of(bound.ask_challenge())
    proof = bound.key.refresh_proof(challenge)
    assert bound.send_proof(proof).status_code == 200
    assert bound.send_proof(proof).status_code == 400


def test_a_challenge_from_another_session_is_refused(bound, clock, django_user_model):
    django_user_model.objects.create_user(username="bob", password="bob's long passphrase 1")
    other_client = HttpsClient()
    other = DbscBrowser(other_client)
    other.register(registration_offer(sign_in(other_client, "bob", "bob's long passphrase 1")))
    foreign = challenge_of(other.ask_challenge())
    challenge_of(bound.ask_challenge())
    assert bound.send_proof(bound.key.refresh_proof(foreign)).status_code == 400


def test_a_stale_challenge_is_refused_and_renewed(bound, clock):
    """A proof over an expired challenge gets no cookie; a fresh challenge (403) instead.

    Any other 4xx would end Chrome's bound session for good; a 403 makes it
    sign the new challenge, which works.
    """
    challenge = challenge_of(bound.ask_challenge())
    clock.shift(challenge_lifetime() + 1)
    answer = bound.send_proof(bound.key.refresh_proof(challenge))
    assert answer.status_code == 403
    assert BOUND_COOKIE not in answer.cookies
    fresh = challenge_of(answer)
    assert fresh != challenge
    assert bound.send_proof(bound.key.refresh_proof(challenge)).status_code != 200
    assert bound.send_proof(bound.key.refresh_proof(fresh)).status_code == 200


def test_the_next_challenge_is_sent_ahead_so_a_refresh_is_one_request(bound, clock):
    """Registration and each refresh answer with the next challenge: Chrome signs it
    at once, and the refresh costs one request, not a 403 and a retry."""
    assert bound.cached_challenge  # from the registration's answer
    for _ in range(3):
        clock.shift(COOKIE_AGE - 100)
        requests_before = bound.refresh_requests
        assert bound.refresh().status_code == 200
        assert bound.refresh_requests == requests_before + 1
        assert is_signed_in(bound.client.get("/"))


def test_a_challenge_sent_ahead_is_answered_once(bound, clock):
    ahead = bound.cached_challenge
    assert bound.send_proof(bound.key.refresh_proof(ahead)).status_code == 200
    replayed = bound.send_proof(bound.key.refresh_proof(ahead))
    assert replayed.status_code == 400 and BOUND_COOKIE not in replayed.cookies


def test_a_challenge_sent_ahead_is_useless_without_the_key(bound, clock):
    """The attacker sees the challenge on the victim's pages, but cannot sign it."""
    attacker = DbscBrowser(steal(bound.client))
    attacker.session_id = bound.session_id
    answer = attacker.send_proof(attacker.key.refresh_proof(bound.cached_challenge))
    assert answer.status_code == 400 and BOUND_COOKIE not in answer.cookies
    assert bound.send_proof(bound.key.refresh_proof(bound.cached_challenge)).status_code == 200


def test_pages_near_the_bound_cookies_expiry_carry_the_challenge(bound, clock, request_cost):
    """A browser that lost the challenge gets it again from any page, without a write."""
    ahead = bound.cached_challenge
    with request_cost() as cost:
        early = bound.client.get("/")
        assert is_signed_in(early)
        assert "Secure-Session-Challenge" not in early.headers  # fresh cookie: not yet
        clock.shift(COOKIE_AGE - CHALLENGE_AHEAD_LEAD)
        late = bound.client.get("/")
        assert is_signed_in(late)
    assert challenge_of(late) == ahead
    # Two minutes passed: the last-seen time was due (once per 90 s), nothing else.
    assert [sql for sql in cost.sql_writes if '"last_seen_at"' not in sql] == []
    assert cost.redis_writes == cost.cookies == 0, cost.describe()


def test_malformed_refresh_requests_never_5xx(bound):
    client = bound.client
    for headers in (
        {},
        {"Sec-Secure-Session-Id": "nonsense"},
        {"Sec-Secure-Session-Id": "00000000-0000-0000-0000-000000000000"},
        {"Sec-Secure-Session-Id": bound.session_id, "Secure-Session-Response": '""'},
    ):
        response = client.post("/dbsc/refresh", headers=headers)
        assert response.status_code < 500
    assert client.get("/dbsc/refresh").status_code == 405


def test_refresh_is_rate_limited(bound):
    statuses = [bound.ask_challenge().status_code for _ in range(14)]
    assert statuses[:12] == [403] * 12
    assert statuses[12:] == [429, 429]


@pytest.mark.parametrize(
    "how", ["logout", "everywhere", "from_the_list", "idle", "password_change_elsewhere"]
)
def test_ending_the_session_ends_the_bound_session(bound, clock, how, user):
    client = bound.client
    if how == "logout":
        response = client.post("/accounts/logout/")
        assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    elif how == "everywhere":
        client.post("/accounts/sessions/end-everywhere/")
    elif how == "from_the_list":
        other = HttpsClient()
        sign_in(other)
        other.post(f"/accounts/sessions/{bound.session_id}/end/")
    elif how == "idle":
        clock.shift(1800)
    elif how == "password_change_elsewhere":
        user.set_password("a brand new passphrase 99")
        user.save()
    response = bound.ask_challenge()
    assert response.status_code == 200
    assert response.json() == {"session_identifier": bound.session_id, "continue": False}


def test_registration_is_refused_when_it_does_not_match(client, user, engine, dbsc, clock):
    offer = registration_offer(sign_in(client))
    key = BrowserKey()
    bad = {
        "wrong authorization": key.registration_proof(offer["challenge"], "x" * 32),
        "made-up challenge": key.registration_proof("made-up", offer["authorization"]),
        "no key in header": jwt.encode(
            {"jti": offer["challenge"], "authorization": offer["authorization"]},
            key.private,
            algorithm="ES256",
            headers={"typ": "dbsc+jwt"},
        ),
    }
    for name, proof in bad.items():
        response = client.post(offer["path"], headers={"Secure-Session-Response": proof})
        assert response.status_code == 400, name
    clock.shift(301)
    late = key.registration_proof(offer["challenge"], offer["authorization"])
    assert client.post(offer["path"], headers={"Secure-Session-Response": late}).status_code == 400
    assert not DeviceKey.objects.filter(record__user=user).exists()


def test_registration_needs_a_session_and_happens_once(bound):
    offer_less = HttpsClient().post("/dbsc/register", headers={"Secure-Session-Response": "x"})
    assert offer_less.status_code == 401
    again = DbscBrowser(bound.client)
    record = SessionRecord.objects.get(pk=bound.session_id)
    from session_security.device_binding import protocol

    header = protocol.registration_header(record)
    offer = dict(p.split("=", 1) for p in header.split(";")[1:])
    offer = {k: v.strip('"') for k, v in offer.items()}
    assert again.register(offer).status_code == 400  # a second key cannot take over


def test_quoted_proof_header_is_accepted(client, user, engine, dbsc):
    offer = registration_offer(sign_in(client))
    proof = BrowserKey().registration_proof(offer["challenge"], offer["authorization"])
    response = client.post(offer["path"], headers={"Secure-Session-Response": f'"{proof}"'})
    assert response.status_code == 200


def test_session_list_shows_device_bound(bound):
    page = bound.client.get("/accounts/sessions/").text
    assert "device-bound" in page


def test_audit_records_dbsc_events_with_hashed_ids(bound, clock, caplog):
    caplog.set_level(logging.INFO, logger="session_security.audit")
    clock.shift(COOKIE_AGE + 1)
    bound.refresh()
    thief = DbscBrowser(steal(bound.client))
    thief.session_id = bound.session_id
    thief.send_proof(thief.key.refresh_proof(challenge_of(thief.ask_challenge())))
    bound.client.post("/accounts/logout/")
    bound.ask_challenge()
    text = "\n".join(r.getMessage() for r in caplog.records)
    for event in ("dbsc_refreshed", "dbsc_proof_failed", "dbsc_ended"):
        assert f"event={event}" in text
    assert bound.session_id not in text


def test_a_pending_challenge_is_handed_out_again(bound, clock):
    """Whoever knows the session id cannot swap the challenge the browser is signing."""
    browser_challenge = challenge_of(bound.ask_challenge())
    meddler = HttpsClient()
    replaced = meddler.post("/dbsc/refresh", headers={"Sec-Secure-Session-Id": bound.session_id})
    assert challenge_of(replaced) == browser_challenge
    assert bound.send_proof(bound.key.refresh_proof(browser_challenge)).status_code == 200
    clock.shift(61)
    assert challenge_of(bound.ask_challenge()) != browser_challenge  # consumed, then renewed
