"""The rules a signed-in session must keep (idle, absolute, rotation, binding), as pure functions.

No clock, request or database here: each rule is testable alone, the same for every engine.
"""

import enum
import ipaddress
from dataclasses import dataclass, field

from django.conf import settings

# Requests sent with the previous key this long after a rotation still work.
ROTATION_GRACE = 30
# The reasons the clock alone ends a session for.
TIMEOUTS = ("idle_timeout", "absolute_timeout")


class Outcome(enum.Enum):
    """What becomes of the session a request carried."""

    LIVE = "live"
    GRACE = "grace"  # the previous key, within the grace period: read-only
    WITHHELD = "withheld"  # lacks a proof of possession it needs: served anonymously
    ENDED = "ended"  # the whole session is over
    REFUSED = "refused"  # this key is no good; the session itself lives on


@dataclass(frozen=True)
class Plan:
    """The answer for one request, decided before any I/O; the middleware carries it out."""

    outcome: Outcome
    reason: str = ""
    touch: bool = False  # write the last-seen time (once per refresh window)
    rotate: bool = False  # give the live session a new key
    mismatches: tuple = field(default_factory=tuple)

    @property
    def end(self):
        return self.outcome is Outcome.ENDED

    @property
    def flush(self):
        return self.outcome in (Outcome.ENDED, Outcome.REFUSED)

    @property
    def withhold(self):
        return self.outcome is Outcome.WITHHELD

    @property
    def grace(self):
        return self.outcome is Outcome.GRACE

    @property
    def serves_session(self):
        """Whether the request goes on with its session (live, or read-only)."""
        return self.outcome in (Outcome.LIVE, Outcome.GRACE)


@dataclass(frozen=True)
class Policy:
    cookie_age: int
    idle_timeout: int
    rotation_interval: int
    rotation_grace: int
    bind_ip: str
    bind_user_agent: str
    ipv4_prefix: int
    ipv6_prefix: int

    @classmethod
    def from_settings(cls):
        return cls(
            cookie_age=settings.SESSION_COOKIE_AGE,
            idle_timeout=settings.SESSION_IDLE_TIMEOUT,
            rotation_interval=settings.SESSION_ROTATION_INTERVAL,
            rotation_grace=ROTATION_GRACE,
            bind_ip=settings.SESSION_BIND_IP,
            bind_user_agent=settings.SESSION_BIND_USER_AGENT,
            ipv4_prefix=settings.SESSION_BIND_IPV4_PREFIX,
            ipv6_prefix=settings.SESSION_BIND_IPV6_PREFIX,
        )

    @property
    def refresh_window(self):
        """Seconds between two writes of the last-seen time."""
        return max(1, min(300, self.idle_timeout // 20))

    def evaluate(
        self,
        record,
        generation,
        now,
        *,
        ip=None,
        user_agent="",
        credentials_valid=True,
        key_retired=False,
        possession_proven=True,
    ):
        """Judge a request whose session carried ``generation``, with row ``record`` (or None).

        Without ``possession_proven`` the session is withheld from the request, not ended.
        """
        ended = self.end_reason(record, now)
        if ended:
            return Plan(Outcome.ENDED, ended)

        mismatches = self.binding_mismatches(record, ip, user_agent)
        enforced = [name for name in mismatches if self.binding_mode(name) == "enforce"]
        if enforced:
            return Plan(Outcome.ENDED, f"{enforced[0]}_mismatch", mismatches=mismatches)
        if key_retired:
            return Plan(Outcome.ENDED, "secret_key_retired", mismatches=mismatches)
        if not credentials_valid:
            # A new epoch, a retired key behind the hash, or another user.
            return Plan(Outcome.ENDED, "credentials_changed", mismatches=mismatches)

        if generation != record.generation:
            since_rotation = (now - record.rotated_at).total_seconds()
            if generation == record.generation - 1 and since_rotation <= self.rotation_grace:
                outcome = Outcome.GRACE if possession_proven else Outcome.WITHHELD
                return Plan(outcome, "previous_key", mismatches=mismatches)
            return Plan(Outcome.REFUSED, "stale_key", mismatches=mismatches)
        if not possession_proven:
            return Plan(Outcome.WITHHELD, "proof_missing", mismatches=mismatches)

        since_seen = (now - record.last_seen_at).total_seconds()
        since_rotation = (now - record.rotated_at).total_seconds()
        return Plan(
            Outcome.LIVE,
            touch=since_seen >= self.refresh_window,
            rotate=bool(self.rotation_interval) and since_rotation >= self.rotation_interval,
            mismatches=mismatches,
        )

    def end_reason(self, record, now):
        """Why the session behind ``record`` is over at ``now``, or ``""``."""
        if record is None:
            return "unknown_session"
        if record.ended_at is not None:
            return record.end_reason or "ended"
        return self.timed_out(record, now)

    def timed_out(self, record, now):
        """The timeout that the clock alone ends ``record`` with at ``now``, or ``""``."""
        if now >= record.expires_at:
            return "absolute_timeout"
        if (now - record.last_seen_at).total_seconds() >= self.idle_timeout:
            return "idle_timeout"
        return ""

    def told_reason(self, record, reason, now):
        """What the browser of a session ended for ``reason`` is told: a timeout, or "ended".

        A timeout is what the clock and the published policy tell anyone; every other reason
        (revoked, a new password, a binding, an administrator) reads "ended", and a session ended
        on purpose that the clock would have ended by now reads as that timeout: whoever holds a
        stale cookie learns that the session ended, not whether somebody noticed it.
        """
        if reason in TIMEOUTS:
            return reason
        return (self.timed_out(record, now) if record is not None else "") or "ended"

    def binding_mode(self, name):
        return self.bind_ip if name == "ip" else self.bind_user_agent

    def binding_mismatches(self, record, ip, user_agent):
        found = []
        if self.bind_ip != "off" and not self.same_network(record.ip_address, ip):
            found.append("ip")
        if self.bind_user_agent != "off" and (record.user_agent or "") != (user_agent or ""):
            found.append("user_agent")
        return tuple(found)

    def same_network(self, first, second):
        """Whether two addresses share the configured prefix (exact by default)."""
        if not first or not second:
            return first == second
        try:
            a = ipaddress.ip_address(first)
            b = ipaddress.ip_address(second)
        except ValueError:
            return False
        if a.version != b.version:
            return False
        prefix = self.ipv4_prefix if a.version == 4 else self.ipv6_prefix
        return b in ipaddress.ip_network(f"{a}/{prefix}", strict=False)
