"""Helpers for scripts/develop and e2e: a simulated device, HA provisioning."""
