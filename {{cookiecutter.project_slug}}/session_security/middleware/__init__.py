"""The layer's middleware: the session cycle and authentication."""
