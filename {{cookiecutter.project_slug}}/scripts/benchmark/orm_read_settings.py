"""This project with its per-request reads through the ORM's ``select_related``.

What the project costs without its compiled join (``storage/joined_read.py``),
the path it falls back to when a Django release changes the compiler: the
same single query, built by the ORM on each call.
"""

from config.settings import *  # noqa: F403

SESSION_JOINED_READ = "orm"
