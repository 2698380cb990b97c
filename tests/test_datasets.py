"""Tests of carecal.datasets: the generator is seeded, valid and realistic."""

from carecal.datasets import make_community
from carecal.model import Mobility, Skill


def test_same_seed_same_community() -> None:
    assert make_community(60, 10, seed=3) == make_community(60, 10, seed=3)
    assert make_community(60, 10, seed=3) != make_community(60, 10, seed=4)


def test_counts_and_shape() -> None:
    c = make_community(400, 30, seed=1, meal_orders=50, carriers=12, escorts=8)
    assert len(c.residents) == 400 and len(c.volunteers) == 30
    assert sum(1 for r in c.residents if r.meal_days) == 50
    assert sum(1 for v in c.volunteers if v.has(Skill.MEALS)) == 12
    assert sum(1 for v in c.volunteers if v.has(Skill.ESCORT)) == 8
    assert all(r.age_on(c.campaign[0].date) >= 60 for r in c.residents)
    assert {r.mobility for r in c.residents} >= {Mobility.INDEPENDENT, Mobility.WHEELCHAIR}
    assert c.kitchen.site_id == "K1" and c.wheelchair_pool() == 4
    assert len(c.campaign) == 3


def test_bundled_sample_reads_back_as_generated() -> None:
    """The CSV files shipped in the package are exactly what the generator makes."""
    from carecal.datasets import make_sample_community, sample_community

    assert sample_community() == make_sample_community()
