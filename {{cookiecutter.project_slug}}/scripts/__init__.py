"""Tools run by hand next to the project (``python -m scripts.benchmark``)."""
