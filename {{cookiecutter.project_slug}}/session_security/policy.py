"""The rules a signed-in session must keep, as pure functions.

Nothing here reads a clock, a request or a database: the middleware passes
in the session's registry row, the time and what it found in the request,
and gets back a ``Plan`` that it then carries out.
That keeps each rule testable on its own and identical for sync and async
requests and for every engine.

Timing, in words (the README has the table):

- absolute lifetime: the session ends ``SESSION_COOKIE_AGE`` seconds after
  sign-in, however busy it is;
- idle timeout: it ends when ``SESSION_IDLE_TIMEOUT`` seconds pass without a
  request. The last-seen time is written at most once per *refresh window*
  (1/20 of the idle timeout, at least 1 s and at most 5 min) instead of on
  every request, so the recorded time may lag the true last request by up to
  one window: a session therefore ends between ``idle - window`` and
  ``idle`` seconds after its last request, never later;
- rotation: a live session gets a new key every
  ``SESSION_ROTATION_INTERVAL`` seconds; the previous key keeps working,
  read-only, for ``ROTATION_GRACE`` seconds so that requests already in
  flight (a page loading its resources) do not sign the user out.
"""

import enum
import ipaddress
from dataclasses import dataclass, field

from django.conf import settings

# Requests sent with the previous key this long after a rotation still work.
ROTATION_GRACE = 30


class Outcome(enum.Enum):
    """What becomes of the session a request carried."""

    LIVE = "live"
    GRACE = "grace"  # the previous key, within the grace period: read-only
    WITHHELD = "withheld"  # lacks a proof of possession it needs: served anonymously
    ENDED = "ended"  # the whole session is over
    REFUSED = "refused"  # this key is no good; the session itself lives on


@dataclass(frozen=True)
class Plan:
    """The policy's answer for one request, decided before any I/O.

    The middleware carries it out (see ``middleware.sessions``): it ends the
    registry row, flushes the session, withholds it, moves the last-seen
    time, or rotates the key, exactly as the plan says.
    """

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
        """Judge one request made with a session whose registry row is ``record``.

        ``generation`` is the rotation count stored in the session the request
        carried; ``record`` may be ``None`` when the row is gone.
        ``credentials_valid`` says whether the session's user and auth hash
        still match the row's user (see ``authentication.verify``);
        ``key_retired`` whether the secret key that signed the session has
        left the fallbacks (see ``secret_keys``); ``possession_proven``
        whether a session bound to more than its cookie (a device's key, say)
        came with its proof: without it the session is withheld from this
        request, not ended (its owner's browser may be renewing the proof).
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
            # The password (epoch) changed, the secret key that signed the
            # hash was retired, or the session names another user.
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
        if now >= record.expires_at:
            return "absolute_timeout"
        if (now - record.last_seen_at).total_seconds() >= self.idle_timeout:
            return "idle_timeout"
        return ""

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
