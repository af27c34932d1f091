import pytest
from django.utils import translation

from permits.models import Permit

from .support import GRANTED_ON, PERMIT_END, SHORT_PASSPORT, at


@pytest.fixture
def permit(application_in) -> Permit:
    """A permit granted on 2024-10-01 until 2026-11-10 (60 days before the passport ends)."""
    with at(GRANTED_ON), translation.override("en"):
        permit = application_in("approved", passport_expiry_date=SHORT_PASSPORT).permit
    assert (permit.valid_from, permit.valid_to, permit.status) == (GRANTED_ON, PERMIT_END, "valid")
    return permit
