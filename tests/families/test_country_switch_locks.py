"""What the kids' caps mean is changed one transaction at a time: a country switch locks the
family's row (families/settings.py lock_family), so a second switch, or a kid's new caps
(families/rules.py), waits for it and then works from what it saved. Two sessions against the
suite's PostgreSQL, the first holding its switch open while the second starts."""

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from axolotly.errors import Invalid
from axolotly.families import rules, settings
from axolotly.families.context import FamilyContext, FamilyRole
from axolotly.models import AuditEvent, KidProfile, User
from axolotly.ratings.scales import remap_cap
from axolotly.ratings.service import current_scales
from tests.support.factories import make_family, make_kid

WAIT = 10  # seconds: generous on a busy machine


@pytest.fixture
def family(engine, committed) -> tuple[int, int]:
    """A committed US family (other sessions see it) with Emma capped at PG-13 and TV-14."""
    with Session(engine) as db, db.begin():
        owner = make_family(db)
        kid = make_kid(db, owner, "Emma")
        kid.rules_mode, kid.max_movie_rating, kid.max_tv_rating = "rules", "PG-13", "TV-14"
        ids = owner.id, kid.id
    committed.append((User, ids[0]))
    return ids


def as_owner(db: Session, owner_id: int) -> FamilyContext:
    return FamilyContext(owner_id, db.get_one(User, owner_id), FamilyRole.OWNER)


def while_a_switch_to_germany_is_open(engine, owner_id: int, second: Callable[[Session], None]) -> list[Exception]:
    """Runs `second` in its own session and thread while another session has switched the family
    to Germany without committing; checks that it waits, then commits the switch. Returns what
    `second` raised."""
    raised: list[Exception] = []

    def run() -> None:
        try:
            with Session(engine) as db, db.begin():
                second(db)
        except Exception as error:  # noqa: BLE001 - handed to the test to judge
            raised.append(error)

    with Session(engine) as first:
        settings.change_country(first, as_owner(first, owner_id), "DE")
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second change waits for the switch in flight"
        first.commit()
    thread.join(WAIT)
    assert not thread.is_alive()
    return raised


def test_two_switches_at_once_leave_every_cap_on_the_final_countrys_scales(engine, family):
    owner_id, kid_id = family

    def switch_to_britain(db: Session) -> None:
        acting = as_owner(db, owner_id)  # read before the first switch commits: still "US" here
        assert acting.user.country == "US"
        settings.change_country(db, acting, "GB")

    assert while_a_switch_to_germany_is_open(engine, owner_id, switch_to_britain) == []
    with Session(engine) as db:
        scales, kid = current_scales(db), db.get_one(KidProfile, kid_id)
        assert db.get_one(User, owner_id).country == "GB"
        # From Germany's caps, where the first switch left them (PG-13 -> 12, TV-14 -> 12).
        for kind, us_cap, cap in (("movie", "PG-13", kid.max_movie_rating), ("tv", "TV-14", kid.max_tv_rating)):
            german = remap_cap(scales.scale(kind, "US"), scales.scale(kind, "DE"), us_cap)
            assert cap == remap_cap(scales.scale(kind, "DE"), scales.scale(kind, "GB"), german)
            assert cap in rules.cap_choices(scales.scale(kind, "GB"))
        trail = db.scalars(
            select(AuditEvent.summary).where(AuditEvent.family_id == owner_id).order_by(AuditEvent.id)
        ).all()
        assert [line.split(";")[0] for line in trail] == ["Country: US -> DE", "Country: DE -> GB"]


def test_caps_set_during_a_switch_are_checked_on_the_new_countrys_scales(engine, family):
    owner_id, kid_id = family

    def cap_at_pg13(db: Session) -> None:
        kid = db.get_one(KidProfile, kid_id)
        rules.set_rules(db, kid, "rules", "PG-13", None, True, [])

    [refused] = while_a_switch_to_germany_is_open(engine, owner_id, cap_at_pg13)
    assert isinstance(refused, Invalid) and "for DE" in refused.detail, "a US rating is no German cap"
    with Session(engine) as db:
        kid = db.get_one(KidProfile, kid_id)
        assert kid.max_movie_rating in rules.cap_choices(current_scales(db).scale("movie", "DE"))
