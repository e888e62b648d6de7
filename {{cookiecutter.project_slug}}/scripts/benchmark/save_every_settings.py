"""Stock Django with the usual advice for an idle timeout.

``SESSION_SAVE_EVERY_REQUEST`` writes the session to its store, and sends
its cookie again, on every request: the expiry then counts from the last
request, which makes ``SESSION_COOKIE_AGE`` an idle timeout.
"""

from scripts.benchmark.stock_settings import *  # noqa: F403

SESSION_SAVE_EVERY_REQUEST = True
