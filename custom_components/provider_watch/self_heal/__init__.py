"""self_heal."""
