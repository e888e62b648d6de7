"""The session-security layer; docs/session-layer.md maps its modules."""
