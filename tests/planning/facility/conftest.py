"""Fixtures of the facility engine tests."""

from __future__ import annotations

import pytest

from supplymesh.planning.facility import FacilityProblem
from tests.planning.facility.small import small_problem


@pytest.fixture
def problem() -> FacilityProblem:
    return small_problem()
