"""Test support shared by tests/ and scripts/devtools/: servers on 127.0.0.1, fake
phones, the report's sample data. It imports neither tests/ nor scripts/.
"""
