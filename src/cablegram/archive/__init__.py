"""cablegram.archive (see docs/architecture.md)."""
