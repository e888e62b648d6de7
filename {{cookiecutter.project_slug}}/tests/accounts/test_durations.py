"""Durations in words, as the pages state the session policy."""

import pytest

from accounts.durations import in_words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 seconds"),
        (1, "1 second"),
        (90, "1 minute and 30 seconds"),
        (600, "10 minutes"),
        (1800, "30 minutes"),
        (3600, "1 hour"),
        (5400, "1 hour and 30 minutes"),
        (3661, "1 hour, 1 minute and 1 second"),
        (86400, "24 hours"),
        (129600, "36 hours"),
        (172800, "2 days"),
        (1209600 + 3600, "14 days and 1 hour"),
    ],
)
def test_in_words(seconds, words):
    assert in_words(seconds) == words
