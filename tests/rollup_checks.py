"""Checks shared by the sections' rollup property tests."""

from readiness import codes
from readiness.rollups import rollup_rebuild_day, rollup_region_and_ancestors


def assert_chains_add_up_stored_children(test, model, stored, expected, regions, day):
    """The engine's path for a submission once the day has been rolled up everywhere (the
    nightly job builds each day ahead): a chain's upper regions are their own desk's share plus
    their children's stored rows (readiness.rollups._children_standing_in, where every child is
    active; read from source otherwise). After a rebuild, each region's chain in turn, with the
    chain's own rows of `model` deleted first, must give back exactly the `expected` rows."""
    rollup_rebuild_day(day=day)
    test.assertEqual(stored(day), expected, f"engine rebuild, {day}")
    active = {code for code, on in regions if on}
    for code, on in regions:
        if not on or codes.level_of(code) > 3:
            continue
        chain = [c for c in (*codes.ancestor_codes(code), code) if c in active]
        model.objects.filter(day=day, region_id__in=chain).delete()
        rollup_region_and_ancestors(region_code=code, day=day)
        test.assertEqual(stored(day), expected, f"chain of {code} from stored children, {day}")
