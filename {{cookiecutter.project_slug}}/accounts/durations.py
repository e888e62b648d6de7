"""Durations in words, for the pages that state the session policy ("30 minutes", "24 hours")."""

UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))
# Below this, days are said in hours: "24 hours", "36 hours", then "2 days".
DAYS_FROM = 2 * 86400


def in_words(seconds):
    """``1800``: "30 minutes"; ``86400``: "24 hours"; ``5400``: "1 hour and 30 minutes"."""
    seconds = int(seconds)
    units = UNITS if seconds >= DAYS_FROM else UNITS[1:]
    parts = []
    for name, size in units:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}" + ("" if count == 1 else "s"))
    if not parts:
        return "0 seconds"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
