import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    # A Chinese page request earlier in the run leaves its language active in this thread.
    with translation.override("en"):
        yield
