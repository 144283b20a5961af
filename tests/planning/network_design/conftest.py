"""Fixtures of the facility engine tests."""

from __future__ import annotations

import pytest

from supplymesh.planning.network_design import FacilityProblem
from tests.planning.network_design.small import small_problem


@pytest.fixture
def problem() -> FacilityProblem:
    return small_problem()
