"""Finish the bake: write the local ``.env``, drop unneeded files, say what next."""

import secrets
import string
from pathlib import Path

PROJECT = Path.cwd()
DATABASE = "{{ cookiecutter.database }}"
SLUG = "{{ cookiecutter.project_slug }}"

# Letters, digits and symbols that need no quoting in an env file or a shell.
KEY_ALPHABET = string.ascii_letters + string.digits + "%+-.:@_~"


def new_secret_key(length=64):
    """A fresh key from ``secrets``; never Django's ``django-insecure-`` kind."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(length))


def database_url():
    if DATABASE == "postgresql":
        return f"postgres://localhost:5432/{SLUG}"
    return f"sqlite:///{PROJECT / 'db.sqlite3'}"


def write_env_file():
    lines = [
        "# Local development only: never commit this file, never use it in production.",
        "DJANGO_DEBUG=on",
        f"DJANGO_SECRET_KEY={new_secret_key()}",
        "DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost",
        "# runserver speaks plain HTTP: no redirect to HTTPS, no HSTS on this machine.",
        "DJANGO_SECURE_SSL_REDIRECT=off",
        "DJANGO_SECURE_HSTS_SECONDS=0",
        f"DATABASE_URL={database_url()}",
        "EMAIL_URL=consolemail://",
    ]
    env_file = PROJECT / ".env"
    env_file.write_text("\n".join(lines) + "\n")
    env_file.chmod(0o600)


def remove_unneeded_files():
    """Drop what the answers make pointless."""
    unneeded = []
    if DATABASE != "postgresql":
        # Runs the database tests on PostgreSQL, which a SQLite project has not.
        unneeded.append("tests/test_postgresql.py")
    for relative in unneeded:
        (PROJECT / relative).unlink(missing_ok=True)


def print_next_steps():
    print(
        f"""
{SLUG} is ready. Next:

    cd {SLUG}
    uv run python manage.py migrate
    uv run python manage.py create_demo_user
    uv run python manage.py runserver

then sign in at http://127.0.0.1:8000 . Tests: uv run pytest
"""
    )


def main():
    write_env_file()
    remove_unneeded_files()
    print_next_steps()


if __name__ == "__main__":
    main()
