"""Helpers for scripts/develop (and later e2e): a simulated device and HA provisioning."""
