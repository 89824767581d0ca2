import pytest
from django.core.cache import cache

from yakuba.assistant import search


@pytest.fixture(autouse=True)
def _fresh_assistant_state():
    """Each test starts with no question counted against the per-minute limit and no cached index."""
    cache.clear()
    search.reset()
    yield
    cache.clear()
    search.reset()
