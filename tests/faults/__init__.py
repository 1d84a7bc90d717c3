"""The fault catalogue (issue 7)."""
