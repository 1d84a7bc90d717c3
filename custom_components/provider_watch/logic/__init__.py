"""The decision core: plain Python, no Home Assistant imports."""
