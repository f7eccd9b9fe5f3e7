"""Fixtures of tests/network (defined in network_fixtures.py, importable by name)."""

from delivery_fixtures import deliveries, department, installation  # noqa: F401
from network_fixtures import clock, net, store  # noqa: F401
