#!/usr/bin/env python
"""Django's command-line utility; reads ``.env`` (or ``DJANGO_ENV_FILE``) for local development."""

import os
import sys
from pathlib import Path


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env_file = os.environ.get("DJANGO_ENV_FILE", str(Path(__file__).with_name(".env")))
    if env_file and Path(env_file).is_file():
        import environ

        environ.Env.read_env(env_file)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
