import datetime as dt

import factory
from django.utils import timezone

from readiness import codes
from readiness.models import (
    TPS,
    Contest,
    ContestKind,
    DailyReport,
    Region,
    ReportStatus,
    Role,
    User,
    contest_reporting_period_default,
)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "64"
    name = factory.LazyAttribute(lambda region: f"Wilayah {region.code}")
    level = factory.LazyAttribute(lambda region: codes.level_of(region.code))
    parent_id = factory.LazyAttribute(lambda region: codes.parent_code(region.code))
    timezone = factory.LazyAttribute(
        lambda region: codes.default_zone_for_province(region.code) if region.level == 1 else ""
    )


class TPSFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TPS

    number = factory.Sequence(lambda n: n + 1)
    dpt_male = 200
    dpt_female = 210


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.VIEWER
    password = factory.django.Password("rahasia-desk-2024")


class ContestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contest

    kind = ContestKind.GOVERNOR
    voting_day = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=4))
    # The admin form's default (H-30 … H+7), from the same function.
    reporting_start = factory.LazyAttribute(
        lambda c: contest_reporting_period_default(voting_day=c.voting_day)[0]
    )
    reporting_end = factory.LazyAttribute(
        lambda c: contest_reporting_period_default(voting_day=c.voting_day)[1]
    )


class DailyReportFactory(factory.django.DjangoModelFactory):
    """A submitted report; pass `submitted_by` (the region's officer)."""

    class Meta:
        model = DailyReport

    status = ReportStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    created_by = factory.SelfAttribute("submitted_by")
    updated_by = factory.SelfAttribute("submitted_by")
    updated_at = factory.SelfAttribute("submitted_at")


def regions_bulk_create(regions) -> None:
    """Regions from (code, is_active) pairs in one insert, named by their codes: the random
    trees of the property tests. Provinces get their zone by code."""
    Region.objects.bulk_create(
        Region(
            code=code,
            name=code,
            level=codes.level_of(code),
            parent_id=codes.parent_code(code),
            timezone=codes.default_zone_for_province(code) if "." not in code else "",
            is_active=is_active,
        )
        for code, is_active in regions
    )
