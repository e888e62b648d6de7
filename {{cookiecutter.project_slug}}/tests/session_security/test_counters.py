"""The rate-limit counters: shared by every process, with or without Redis.

Without a ``CACHE_URL`` they live in the database (``RateCounter``), one
atomic statement per hit: processes hammering one key at once must each
get a different count, with no count lost or given twice, on SQLite and
on PostgreSQL alike.
"""

import datetime
import io
import subprocess
import sys
import time

import pytest
import redis
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.utils import timezone

from session_security import counters
from session_security.models import RateCounter
from tests.fixtures.servers import PROJECT_DIR, production_env

START = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


@pytest.mark.django_db
def test_each_hit_counts_one_more_and_keys_are_apart():
    assert [counters.hit("a", 60, START) for _ in range(3)] == [1, 2, 3]
    assert counters.hit("b", 60, START) == 1
    assert counters.hit("a", 60, START + SECOND) == 4
    assert RateCounter.objects.get(pk="a").count == 4


@pytest.mark.django_db
def test_a_count_starts_anew_when_its_window_ends():
    """The window runs from the first hit; later hits do not extend it."""
    assert counters.hit("k", 60, START) == 1
    assert counters.hit("k", 60, START + 59 * SECOND) == 2
    assert counters.hit("k", 60, START + 60 * SECOND) == 1  # a new window
    assert counters.hit("k", 60, START + 119 * SECOND) == 2
    assert counters.hit("k", 60, START + 120 * SECOND) == 1


@pytest.mark.django_db(transaction=True)
def test_a_hit_is_one_statement(django_assert_num_queries):
    with django_assert_num_queries(1):
        counters.hit("one", 60, START)
    with django_assert_num_queries(1):
        assert counters.hit("one", 60, START) == 2


@pytest.mark.django_db
def test_with_a_redis_cache_url_the_counts_are_in_redis(settings, redis_url):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
        },
    }
    assert [counters.hit("r", 60, START) for _ in range(2)] == [1, 2]
    assert not RateCounter.objects.exists()
    with redis.Redis.from_url(redis_url) as client:
        assert client.get(":1:r") == b"2" and 0 < client.ttl(":1:r") <= 60


@pytest.mark.django_db
def test_a_database_error_reaches_the_caller_and_spares_its_transaction():
    """The caller decides what a failure means; its own work goes on."""
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:  # the table missing: rolled back with the test
        cursor.execute(f"ALTER TABLE {table} RENAME TO gone_counters")
    with pytest.raises(DatabaseError):
        counters.hit("k", 60, START)
    Group.objects.create(name="written after")
    assert Group.objects.filter(name="written after").exists()


@pytest.mark.django_db
def test_clear_expired_sessions_deletes_ended_counts():
    now = timezone.now()
    counters.hit("ended", 60, now - 61 * SECOND)
    counters.hit("live", 60, now - 59 * SECOND)
    out = io.StringIO()
    call_command("clear_expired_sessions", stdout=out)
    assert "Deleted 1 ended rate count(s)" in out.getvalue()
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["live"]


HAMMER = """
import pathlib, time
from django.utils import timezone
from session_security import counters
counters.hit("warm-up", 60, timezone.now())  # connected, tables seen
pathlib.Path({ready!r}).touch()
while not pathlib.Path({go!r}).exists():
    time.sleep(0.002)
print(" ".join(str(counters.hit({key!r}, 3600, timezone.now())) for _ in range({hits})))
"""


@pytest.mark.services
@pytest.mark.standalone  # its own databases: a SQLite file and PostgreSQL
def test_processes_hitting_one_key_at_once_get_every_count_once(each_database, tmp_path):
    """Three processes, 150 hits each, released together: counts 1 to 450, each once."""
    processes, hits, key = 3, 150, f"hammer-{time.time_ns()}"
    env = production_env(DATABASE_URL=each_database)  # no CACHE_URL: the default bake
    go = tmp_path / "go"
    started = []
    for number in range(processes):
        ready = tmp_path / f"ready-{number}"
        script = HAMMER.format(ready=str(ready), go=str(go), key=key, hits=hits)
        command = [sys.executable, "manage.py", "shell", "--no-imports", "-c", script]
        started.append(
            subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, text=True)
        )
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{n}").exists() for n in range(processes)):
        assert time.monotonic() < deadline and all(p.poll() is None for p in started)
        time.sleep(0.01)
    go.touch()
    counts = []
    for process in started:
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        counts += [int(count) for count in output.split()]
    assert sorted(counts) == list(range(1, processes * hits + 1))
