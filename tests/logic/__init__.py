"""Tests of the decision core (no Home Assistant fixtures)."""
