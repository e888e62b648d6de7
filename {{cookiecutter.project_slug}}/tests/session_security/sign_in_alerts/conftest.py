import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def owner(django_user_model):
    """The account the alerts are about, with a mail address."""
    return django_user_model.objects.create_user(
        username="alice", email="alice@example.org", password=PASSWORD
    )
