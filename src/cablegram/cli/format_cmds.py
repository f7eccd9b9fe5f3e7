"""cablegram parse | render | validate."""
