"""A readable name for the device behind a User-Agent, for the session list."""

from functools import lru_cache

from ua_parser import parse


@lru_cache(maxsize=1024)
def describe(user_agent):
    """``"Chrome 156 on Linux"``, ``"Safari on iPhone"``, or ``"Unknown device"``."""
    if not user_agent:
        return "Unknown device"
    result = parse(user_agent)
    browser = result.user_agent
    os = result.os
    device = result.device
    name = browser.family if browser and browser.family != "Other" else "Unknown browser"
    if browser and browser.major and name != "Unknown browser":
        name = f"{name} {browser.major}"
    where = None
    if device and device.family not in (None, "Other", "Spider"):
        where = device.family
    elif os and os.family != "Other":
        where = os.family
    return f"{name} on {where}" if where else name
