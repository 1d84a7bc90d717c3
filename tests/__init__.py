"""Tests for Provider Watch."""

import pytest

# testkit/ (shared with scripts/devtools/) asserts too: pytest's rewritten assertions
# say what differed, as they do in tests/
pytest.register_assert_rewrite("testkit")
