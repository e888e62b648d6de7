"""The pure rules: each verdict at its boundary."""

import datetime
from dataclasses import dataclass

import pytest

from session_security.policy import Outcome, Policy

T0 = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)


def seconds(n):
    return datetime.timedelta(seconds=n)


@dataclass
class Row:
    """Stands in for a SessionRecord row: the policy reads only these fields."""

    created_at: datetime.datetime = T0
    expires_at: datetime.datetime = T0 + seconds(3600)
    last_seen_at: datetime.datetime = T0
    rotated_at: datetime.datetime = T0
    generation: int = 0
    ended_at: datetime.datetime | None = None
    end_reason: str = ""
    ip_address: str | None = "203.0.113.7"
    user_agent: str = "Browser/1"
    user_id: int = 1
    pk: str = "row"


def policy(**changes):
    values = dict(
        cookie_age=3600,
        idle_timeout=600,
        rotation_interval=300,
        rotation_grace=30,
        bind_ip="off",
        bind_user_agent="off",
        ipv4_prefix=32,
        ipv6_prefix=128,
    )
    values.update(changes)
    return Policy(**values)


def judge(row, at, generation=0, **kwargs):
    kwargs.setdefault("ip", "203.0.113.7")
    kwargs.setdefault("user_agent", "Browser/1")
    return policy().evaluate(row, generation, T0 + seconds(at), **kwargs)


def test_missing_or_ended_row_ends_the_session():
    assert policy().evaluate(None, 0, T0).outcome is Outcome.ENDED
    ended = Row(ended_at=T0, end_reason="logout")
    plan = judge(ended, 1)
    assert (plan.outcome, plan.reason) == (Outcome.ENDED, "logout")


def test_absolute_lifetime_is_not_extended_by_activity():
    row = Row(last_seen_at=T0 + seconds(3590))  # busy until the very end
    assert judge(row, 3599).outcome is Outcome.LIVE
    plan = judge(row, 3600)
    assert (plan.outcome, plan.reason) == (Outcome.ENDED, "absolute_timeout")


def test_idle_timeout_boundary():
    assert judge(Row(), 599).outcome is Outcome.LIVE
    plan = judge(Row(), 600)
    assert (plan.outcome, plan.reason) == (Outcome.ENDED, "idle_timeout")


def test_last_seen_is_refreshed_once_per_window():
    window = policy().refresh_window
    assert window == 30  # 1/20 of the idle timeout
    assert not judge(Row(), window - 1).touch
    assert judge(Row(), window).touch


@pytest.mark.parametrize(("idle", "window"), [(10, 1), (1, 1), (600, 30), (1800, 90), (36000, 300)])
def test_refresh_window_is_a_small_bounded_fraction(idle, window):
    assert policy(idle_timeout=idle).refresh_window == window


def test_rotation_is_due_after_the_interval_only():
    assert not judge(Row(), 299).rotate
    assert judge(Row(), 300).rotate
    assert not policy(rotation_interval=0).evaluate(Row(), 0, T0 + seconds(500)).rotate


def test_previous_key_works_only_within_grace():
    row = Row(generation=3, rotated_at=T0 + seconds(100))
    assert judge(row, 130, generation=2).outcome is Outcome.GRACE
    assert judge(row, 131, generation=2).outcome is Outcome.REFUSED
    # Two rotations back is never accepted, even inside the grace.
    assert judge(row, 101, generation=1).outcome is Outcome.REFUSED
    # A generation from the future (forged) is refused too.
    assert judge(row, 101, generation=4).outcome is Outcome.REFUSED


def test_a_session_that_must_prove_possession_and_does_not_is_withheld():
    """Withheld from this request, not ended: neither touched nor rotated."""
    row = Row(last_seen_at=T0, rotated_at=T0 - seconds(100))
    plan = judge(row, 250, possession_proven=False)
    assert (plan.outcome, plan.reason) == (Outcome.WITHHELD, "proof_missing")
    assert not (plan.end or plan.flush or plan.touch or plan.rotate or plan.serves_session)
    proven = judge(row, 250)  # the same request with its proof: touched and rotated
    assert proven.serves_session and proven.touch and proven.rotate
    # The previous key within its grace, without the proof: withheld too.
    rotated = Row(generation=3, rotated_at=T0 + seconds(100))
    assert judge(rotated, 110, generation=2, possession_proven=False).withhold
    # What ends a session still ends it, proof or not.
    assert judge(Row(ended_at=T0, end_reason="logout"), 1, possession_proven=False).end


@pytest.mark.parametrize("mode", ["log", "enforce"])
def test_ip_binding_modes(mode):
    p = policy(bind_ip=mode)
    plan = p.evaluate(Row(), 0, T0 + seconds(1), ip="198.51.100.1", user_agent="Browser/1")
    assert plan.mismatches == ("ip",)
    expected = Outcome.ENDED if mode == "enforce" else Outcome.LIVE
    assert plan.outcome is expected


def test_ip_binding_off_ignores_changes():
    plan = policy().evaluate(Row(), 0, T0 + seconds(1), ip="198.51.100.1", user_agent="X")
    assert plan.mismatches == ()
    assert plan.outcome is Outcome.LIVE


def test_ip_prefix_match():
    p = policy(bind_ip="enforce", ipv4_prefix=24, ipv6_prefix=64)
    assert p.same_network("203.0.113.7", "203.0.113.200")
    assert not p.same_network("203.0.113.7", "203.0.114.7")
    assert p.same_network("2001:db8:1:2::1", "2001:db8:1:2:ffff::9")
    assert not p.same_network("2001:db8:1:2::1", "2001:db8:1:3::1")
    assert not p.same_network("203.0.113.7", "2001:db8::1")
    assert not p.same_network("203.0.113.7", None)
    assert not policy(bind_ip="enforce").same_network("203.0.113.7", "203.0.113.8")


def test_user_agent_binding():
    p = policy(bind_user_agent="enforce")
    plan = p.evaluate(Row(), 0, T0 + seconds(1), ip="203.0.113.7", user_agent="Other/2")
    assert (plan.outcome, plan.reason) == (Outcome.ENDED, "user_agent_mismatch")
