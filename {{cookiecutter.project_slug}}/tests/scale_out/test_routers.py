"""``DATABASE_REPLICA_URL`` and the router's list, without a server.

The behaviour against a real streaming replica is in ``test_read_replica.py``.
"""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from scale_out.routers import PRIMARY, ReplicaRouter, is_primary
from tests.config.test_settings import PRODUCTION, load

PRIMARY_URL = "postgres://app:pw@db-primary:5432/app"
REPLICA_URL = "postgres://app:pw@db-replica:5432/app"


def test_without_a_replica_there_is_one_database_and_no_router(monkeypatch):
    s = load(monkeypatch, **PRODUCTION, DATABASE_URL=PRIMARY_URL)
    assert set(s["DATABASES"]) == {"default"}
    assert "DATABASE_ROUTERS" not in s


def test_a_replica_gets_a_database_the_router_and_a_short_connect_timeout(monkeypatch):
    s = load(monkeypatch, **PRODUCTION, DATABASE_URL=PRIMARY_URL, DATABASE_REPLICA_URL=REPLICA_URL)
    replica = s["DATABASES"]["replica"]
    assert replica["HOST"] == "db-replica"
    assert replica["OPTIONS"]["connect_timeout"] == 2
    assert replica["CONN_HEALTH_CHECKS"] is True
    assert replica["TEST"] == {"MIRROR": "default"}  # tests never create it
    assert s["DATABASE_ROUTERS"] == ["scale_out.routers.ReplicaRouter"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:////tmp/other.sqlite3", "DATABASE_REPLICA_URL must name a replica"),
        ("nosuchdb://x/y", "DATABASE_REPLICA_URL is not a valid URL"),
    ],
)
def test_a_wrong_replica_url_stops_start_up_naming_it(monkeypatch, url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load(monkeypatch, **PRODUCTION, DATABASE_URL=PRIMARY_URL, DATABASE_REPLICA_URL=url)


def test_every_model_but_the_ordinary_ones_is_read_from_the_primary():
    """A new app with models must be placed deliberately: this test names it."""
    ordinary = {model._meta.app_label for model in apps.get_models() if not is_primary(model)}
    assert ordinary == {"notices"}
    router = ReplicaRouter()
    for model in apps.get_models():
        if is_primary(model):
            assert router.db_for_read(model) == PRIMARY, model
        assert router.db_for_write(model) == PRIMARY
    assert router.allow_migrate("replica", "notices") is False
    assert router.allow_migrate("default", "notices") is True
