"""The session list marks a session from a new browser until its owner has seen it elsewhere."""

from django.core.exceptions import ObjectDoesNotExist

from session_security.sign_in_alerts.models import NewBrowserSignIn


def with_marks(sessions):
    """The list's query, reading each session's mark with it (a join: still one query)."""
    return sessions.select_related("new_browser")


def mark(rows, current, now):
    """Set ``row["new_browser"]``; the marks shown to another session of the owner are seen."""
    unseen = []
    for row in rows:
        try:
            alert = row["record"].new_browser
        except ObjectDoesNotExist:
            alert = None
        row["new_browser"] = alert is not None and alert.seen_at is None
        if row["new_browser"] and row["record"].pk != current:
            unseen.append(row["record"].pk)
    if unseen:  # the new browser itself cannot clear its own mark
        NewBrowserSignIn.objects.filter(pk__in=unseen).update(seen_at=now)
    return rows
