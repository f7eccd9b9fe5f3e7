"""cablegram.network (see docs/architecture.md)."""
