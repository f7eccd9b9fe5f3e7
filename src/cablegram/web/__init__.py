"""cablegram.web (see docs/architecture.md)."""
