"""cablegram.access (see docs/architecture.md)."""
