"""The report's bulk launcher check (ALLOWED_TITLES) agrees with the launcher statement itself."""

import random

from axolotly.importer.check import launcher_titles, shown_titles
from axolotly.models import FamilyTitle, KidProfileTitle, StreamingServiceSelection
from tests.support.factories import make_family, make_kid, make_title

SERVICES = ["netflix", "disney_plus", "hulu", "youtube", "not_a_service"]


def test_the_bulk_check_shows_what_the_launcher_statement_shows(db):
    chance = random.Random(24)
    titles = [
        make_title(
            db, providers=chance.sample(SERVICES, chance.randint(0, 3)), certification=chance.choice(["G", None])
        )
        for _ in range(30)
    ]
    kids: dict[int, int] = {}
    for family_number in range(12):
        family = make_family(db)
        selection = family_number % 3
        if selection:
            chosen = [] if selection == 1 else chance.sample(SERVICES, 2)
            db.add(StreamingServiceSelection(family_id=family.id, selected_services=chosen))
        db.add(FamilyTitle(family_id=family.id, title_id=titles[family_number].id))
        for kid_number in range(2):
            kid = make_kid(db, family, name=f"Kid {family_number}.{kid_number}")
            kid.rules_mode = "rules" if family_number == 11 and kid_number == 0 else "allow_list"
            for title in chance.sample(titles, 8):
                policy = chance.choice(["allow", "allow", "deny"])
                db.add(KidProfileTitle(kid_profile_id=kid.id, title_id=title.id, policy=policy))
            kids[kid.id] = family.id
    db.flush()

    bulk = shown_titles(db, kids)
    assert set(bulk) == set(kids)
    assert any(bulk.values())
    for kid_id, family_id in kids.items():
        assert bulk[kid_id] == launcher_titles(db, family_id, kid_id), kid_id
