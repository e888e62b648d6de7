"""Usernames unique by their key, beyond ASCII: "STRASSE" beside "straße", "Ǆemal" beside "ǆemal".

``LOWER()`` let both second names in (SQLite folds only ASCII letters; no
database folds "ß" to "ss"). The key (``accounts.usernames.username_key``:
NFKC, ``casefold()``) is computed in Python and held unique by the database,
so every path refuses the second name of each pair, on SQLite and on
PostgreSQL alike, and either name signs in to the first one's account.
"""

import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from accounts.usernames import username_key
from tests.accounts.test_usernames import creation_form
from tests.conftest import PASSWORD, is_signed_in, sign_in
from tests.fixtures.servers import manage, production_env

# (registered first, the look-alike); "ａｌｉｃｅ" is fullwidth.
PAIRS = [("straße", "STRASSE"), ("ǆemal", "Ǆemal"), ("Alice", "alice"), ("alice", "ａｌｉｃｅ")]
IDS = ["sharp-s", "dz-digraph", "ascii", "fullwidth"]


def test_one_key_for_each_pair():
    assert username_key("straße") == username_key("STRASSE") == "strasse"
    assert username_key("ǆemal") == username_key("Ǆemal") == username_key("ǅemal") == "džemal"
    assert username_key(" ａｌｉｃｅ\t") == username_key("ALICE") == "alice"
    assert username_key("alicia") != username_key("alice")


@pytest.mark.django_db
@pytest.mark.parametrize(("first", "second"), PAIRS, ids=IDS)
def test_the_second_of_a_pair_is_refused_by_the_form_and_the_database(first, second):
    User.objects.create_user(first, password=PASSWORD)
    form = creation_form(second)
    assert not form.is_valid()
    assert "already exists" in " ".join(form.errors["username"])
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(second, password=PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():  # no validation, no NFKC
        User.objects.bulk_create([User(username=second)])
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("first", "second"), PAIRS, ids=IDS)
def test_either_name_of_a_pair_signs_in(client, first, second):
    User.objects.create_user(first, password=PASSWORD)
    stored = User.objects.get().username
    for typed in (second, first.upper(), first):
        sign_in(client, username=typed)
        assert is_signed_in(client.get("/"), stored)
        client.post("/accounts/logout/")


# --- SQLite and PostgreSQL, whatever the bake's database -----------------------

CHECK_PAIRS = """
import json
from django.db import IntegrityError, transaction
from accounts.models import User
results = []
with transaction.atomic():
    User.objects.all().delete()
    for first, second in {pairs!r}:
        with transaction.atomic():
            user = User.objects.create_user(first, password={password!r})
            try:
                with transaction.atomic():
                    User.objects.create_user(second)
                refused = False
            except IntegrityError:
                refused = True
            found = User.objects.get_by_natural_key(second)  # what ModelBackend asks
            results.append([refused, found.pk == user.pk and found.check_password({password!r})])
            transaction.set_rollback(True)
    transaction.set_rollback(True)
print(json.dumps(results))
"""


@pytest.mark.services
@pytest.mark.standalone  # SQLite and the session's PostgreSQL, in any bake
def test_on_sqlite_and_postgresql_the_second_is_refused_and_signs_in_as_the_first(each_database):
    script = CHECK_PAIRS.format(pairs=PAIRS, password=PASSWORD)
    env = production_env(DATABASE_URL=each_database)
    output = manage(env, "shell", "--no-imports", "-c", script)
    # Per pair: refused by the database; the look-alike finds the first's account.
    assert json.loads(output.strip().splitlines()[-1]) == [[True, True]] * len(PAIRS)


# --- The migration names the accounts that already clash -------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_usernames_sharing_a_key_instead_of_failing_obscurely():
    before = ("accounts", "0002_username_case_insensitive")
    after = ("accounts", "0003_username_key")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("accounts")
    executor.migrate([before])
    try:
        old = MigrationExecutor(connection).loader.project_state([before]).apps
        old_users = old.get_model("accounts", "User")
        for username in ["straße", "STRASSE", "alice", "ａｌｉｃｅ", "bob"]:
            old_users.objects.create(username=username)  # LOWER() let each in
        expected = "differ only in case or Unicode form.*: STRASSE, straße; alice, ａｌｉｃｅ$"
        with pytest.raises(RuntimeError, match=expected):
            MigrationExecutor(connection).migrate([after])
        old_users.objects.filter(username__in=["STRASSE", "ａｌｉｃｅ"]).delete()
        MigrationExecutor(connection).migrate([after])
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert sorted(User.objects.values_list("username_key", flat=True)) == [
        "alice",
        "bob",
        "strasse",
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("Strasse")
    assert User.objects.get_by_natural_key("BOB").username == "bob"
