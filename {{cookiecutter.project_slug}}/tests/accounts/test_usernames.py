"""Look-alike usernames: one account per name, whatever its case or Unicode form.

An attacker registers "Alice" (or fullwidth "ａｌｉｃｅ") next to "alice" to be
taken for her by people, support staff and audit logs. Every way of making
an account refuses it (the admin's forms with a clear error, the manager,
commands, even a bulk insert that skips validation: the database itself),
and "alice" signs in with any case of her name.
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from accounts.forms import UserChangeForm, UserCreationForm
from accounts.models import USERNAME_TAKEN, User
from tests.conftest import PASSWORD, HttpsClient, is_signed_in, sign_in
from tests.fixtures.servers import AppServer, Browser, manage, production_env

pytestmark = pytest.mark.django_db

LOOK_ALIKES = ["Alice", "ALICE", "aLiCe", "ａｌｉｃｅ", "ＡＬＩＣＥ"]  # the last two: fullwidth


def creation_form(username):
    return UserCreationForm(
        {
            "username": username,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        }
    )


@pytest.mark.parametrize("username", LOOK_ALIKES)
def test_the_admins_creation_form_refuses_a_look_alike(user, username):
    form = creation_form(username)
    assert not form.is_valid()
    assert "already exists" in " ".join(form.errors["username"])
    assert User.objects.count() == 1


def test_the_admin_page_shows_the_error_and_creates_nobody(user, admin_user):
    admin = HttpsClient()
    admin.force_login(admin_user)
    response = admin.post(
        "/admin/accounts/user/add/",
        {
            "username": "ALICE",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.text
    assert not User.objects.filter(username="ALICE").exists()


def test_renaming_onto_a_look_alike_is_refused(user, django_user_model):
    bob = django_user_model.objects.create_user("bob", password=PASSWORD)
    form = UserChangeForm(
        {"username": "ALICE", "date_joined": bob.date_joined, "last_login": ""}, instance=bob
    )
    assert not form.is_valid()
    assert USERNAME_TAKEN in " ".join(
        form.errors.get("__all__", []) + form.errors.get("username", [])
    )


def test_a_different_name_is_accepted(user):
    assert creation_form("alicia").is_valid()


@pytest.mark.parametrize("username", LOOK_ALIKES)
def test_the_manager_and_the_database_refuse_a_look_alike(user, username):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username, password=PASSWORD)
    # No validation at all, no NFKC: the key (computed on insert) and the database's constraint.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(username=username)])


def test_createsuperuser_calls_the_look_alike_taken(user, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="already taken"):
        call_command(
            "createsuperuser", "--noinput", "--username", "ALICE", "--email", "a@example.org"
        )
    assert User.objects.count() == 1


def test_create_demo_user_resets_the_existing_account(user, settings):
    settings.DEBUG = True
    call_command("create_demo_user", "--username", "ALICE", stdout=io.StringIO())
    assert list(User.objects.values_list("username", flat=True)) == ["alice"]


@pytest.mark.parametrize("typed", ["alice", "ALICE", "Alice", "ＡＬＩＣＥ", " alice "])
def test_sign_in_with_any_case_of_the_name(user, client, typed):
    sign_in(client, username=typed)
    assert is_signed_in(client.get("/"), "alice")


def test_another_case_with_a_wrong_password_is_refused(user, client):
    response = client.post("/accounts/login/", {"username": "ALICE", "password": "wrong"})
    assert response.status_code == 200
    assert not is_signed_in(client.get("/"))


# --- On PostgreSQL, served for real ----------------------------------------


@pytest.mark.services
@pytest.mark.standalone  # always the session's PostgreSQL and the db engine
def test_on_postgresql_sign_in_ignores_case_and_look_alikes_are_refused(
    postgresql_server, postgresql_app_database
):
    env = production_env(
        DATABASE_URL=postgresql_app_database,
        DJANGO_SESSION_ENGINE="db",
        DJANGO_SECURE_PROXY_SSL_HEADER="on",
    )
    with AppServer(env) as server, Browser() as browser:
        browser.sign_in(server, username="ALICE")
        assert browser.whoami(server) == "alice"
    with pytest.raises(RuntimeError, match="IntegrityError"):
        manage(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from accounts.models import User; User.objects.create_user('Alice')",
        )
    import psycopg

    name = postgresql_app_database.rsplit("/", 1)[1]
    insert = (
        "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,"
        " email, is_staff, is_active, date_joined, session_epoch{})"
        " VALUES ('', false, 'ALICE', '', '', '', false, true, now(), 0{})"
    )
    with postgresql_server.connect(name) as pg, pytest.raises(psycopg.errors.UniqueViolation):
        pg.execute(insert.format(", username_key", ", 'alice'"))
    # Raw SQL that leaves out the key is refused too: the column has no default.
    with postgresql_server.connect(name) as pg, pytest.raises(psycopg.errors.NotNullViolation):
        pg.execute(insert.format("", ""))


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_existing_look_alikes_instead_of_failing_obscurely():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = ("accounts", "0001_initial"), ("accounts", "0002_username_case_insensitive")

    def executor():
        return MigrationExecutor(connection)

    latest = executor().loader.graph.leaf_nodes("accounts")
    executor().migrate([before])
    try:
        old_users = executor().loader.project_state([before]).apps.get_model("accounts", "User")
        old_users.objects.create(username="Alice")
        old_users.objects.create(username="alice")
        old_users.objects.create(username="bob")
        with pytest.raises(RuntimeError, match="differ only in case.*: Alice, alice$"):
            executor().migrate([after])
        old_users.objects.filter(username="Alice").delete()
        executor().migrate([after])
    finally:  # later tests need every migration
        executor().migrate(latest)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("BOB")
