"""The one form usernames are compared in: sign-up, sign-in, the database and login throttling.

``LOWER()`` is no such form: SQLite folds only ASCII letters, PostgreSQL
follows the database's collation, and neither maps "ß" to "ss". So the key is
computed here, in Python, the same for every database, and stored in a
column of its own (``User.username_key``) under a unique constraint.
"""

import unicodedata


def username_key(username):
    """NFKC, then ``casefold()``, then NFKC again, stripped: "STRASSE", "Straße" -> "strasse".

    NFKC first, as Django's ``AbstractBaseUser.normalize_username`` does
    (fullwidth "ＡＬＩＣＥ" is "alice", "Ǆ" is "DŽ"); ``casefold()`` rather than
    ``lower()`` folds "ß" to "ss"; the second NFKC recomposes what folding
    decomposed (Unicode's NFKC_Casefold, its caseless identifier match).
    """
    folded = unicodedata.normalize("NFKC", str(username)).casefold()
    return unicodedata.normalize("NFKC", folded).strip()
