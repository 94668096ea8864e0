import pytest

from readiness.models import Contest, ContestKind


@pytest.fixture
def day(tree):
    """The voting day of the tree's contests (governor 64, mayors of 64.71 and 64.72)."""
    return Contest.objects.get(region_id="64", kind=ContestKind.GOVERNOR).voting_day


@pytest.fixture
def governor_only(tree, day):
    """Only the governor election runs: the kota mayor elections are dropped."""
    Contest.objects.filter(kind=ContestKind.MAYOR).delete()
    return day
