"""Tests for Provider Watch."""
