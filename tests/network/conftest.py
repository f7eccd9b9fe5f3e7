"""Fixtures of tests/network (defined in network_fixtures.py, importable by name)."""

from network_fixtures import clock, net, store  # noqa: F401
