"""The one signed-value format read by hand (``storage/base.py``), held to ``django.core.signing``.

``unverified_record_id`` reads the registry id out of session data whose
signature failed (a retired key's), to end that row. Django offers no public
call for an unverified payload, by design; so for every value Django's
``signing.dumps`` makes (keys, salts, fallbacks, compressed or not) the hand
parse must find what ``signing.loads`` finds with the right key, and nothing
in a value that is not Django's format.
"""

from importlib import import_module

import pytest
from django.contrib.sessions.serializers import JSONSerializer
from django.core import signing

from session_security.session_data import RECORD_KEY
from session_security.storage.base import unverified_record_id

pytestmark = pytest.mark.django_db

KEYS = ["k" * 50, "another-key-" + "é" * 30]
SALTS = ["django.contrib.sessions.SessionBase", "django.contrib.sessions.backends.signed_cookies"]
DATA = [
    {RECORD_KEY: "6f1c0f5e-3c55-4d47-9b2a-5a1f6f7b0c11"},  # short: not compressed
    {RECORD_KEY: "6f1c0f5e-3c55-4d47-9b2a-5a1f6f7b0c11", "pad": "a" * 500},  # compressed
    {RECORD_KEY: "id:with:colons", "é": "ü" * 40},
    {"no": "record"},
    {RECORD_KEY: 7},  # not a string: no id
]


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("salt", SALTS)
@pytest.mark.parametrize("key", KEYS)
def test_differential_unverified_record_id_reads_what_signing_loads_verifies(key, salt, compress):
    for data in DATA:
        value = signing.dumps(
            data, key=key, salt=salt, serializer=JSONSerializer, compress=compress
        )
        if compress and "pad" in data:
            assert value.startswith(".")  # zlib'd: the hand parse must inflate it
        loaded = signing.loads(value, key=key, salt=salt, serializer=JSONSerializer)
        expected = loaded.get(RECORD_KEY)
        assert unverified_record_id(value) == (expected if isinstance(expected, str) else None)
        # A tampered signature: Django refuses it, the hand parse still reads the payload.
        tampered = value[:-1] + ("A" if value[-1] != "A" else "B")
        with pytest.raises(signing.BadSignature):
            signing.loads(tampered, key=key, salt=salt, serializer=JSONSerializer)
        assert unverified_record_id(tampered) == unverified_record_id(value)


@pytest.mark.parametrize(
    "value", ["", "garbage", "a:b", "!!!:x:y", ".bm90IHpsaWI:x:y", "e30:x:y", "WzFd:x:y"]
)
def test_differential_unverified_record_id_finds_nothing_outside_the_format(value):
    assert unverified_record_id(value) is None


def test_differential_a_retired_key_session_gives_its_record_id_to_the_store(settings):
    """The store's own encode (Django's format), under a key since retired."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    data = {RECORD_KEY: "6f1c0f5e-3c55-4d47-9b2a-5a1f6f7b0c11", "pad": "a" * 500}
    encoded = store_class().encode(data)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "r" * 50, []
    store = store_class()
    assert store.decode(encoded) == {}  # Django's answer to a bad signature
    assert unverified_record_id(encoded) == data[RECORD_KEY]
    if settings.SESSION_ENGINE.endswith("signed_cookies"):  # the cookie is the data: load reads it
        store = store_class(encoded)
        assert store.load() == {} and store.session_key is None
    assert store.unverified_record == data[RECORD_KEY]  # kept for the middleware
