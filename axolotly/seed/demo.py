"""`axolotly seed-demo`: the offline catalog and a demo family, safe to run again."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from axolotly.catalog.offline import OfflineCatalog
from axolotly.catalog.service import upsert_episodes, upsert_title
from axolotly.enums import MediaType, PolicyKind, UserRole
from axolotly.families.presets import apply_preset
from axolotly.models import Episode, KidProfile, KidProfileTitle, StreamingServiceSelection, Title, User
from axolotly.security.passwords import hash_pin, hash_secret, verify_secret
from axolotly.seed.packs import seed_starter_packs

DEMO_PARENT = ("parent@axolotly.example", "axolotly-demo-parent")
DEMO_ADMIN = ("admin@axolotly.example", "axolotly-demo-admin")
DEMO_KIDS = (("Emma", 8, "1234"), ("Leo", 5, "5678"))
DEMO_SERVICES = ["disney_plus", "netflix", "pbs_kids"]
# kid name -> (title, policy); Emma's first Bluey episode is blocked below.
DEMO_POLICIES = {
    "Emma": [
        ("Bluey", PolicyKind.ALLOW),
        ("Wild Kratts", PolicyKind.ALLOW),
        ("Moana", PolicyKind.ALLOW),
        ("Octonauts", PolicyKind.ALLOW),
        ("The Lion King", PolicyKind.DENY),
    ],
    "Leo": [
        ("Bluey", PolicyKind.ALLOW),
        ("Daniel Tiger's Neighborhood", PolicyKind.ALLOW),
        ("Toy Story", PolicyKind.ALLOW),
        ("Moana", PolicyKind.DENY),
    ],
}


@dataclass
class SeedReport:
    titles: int
    episodes: int
    family_created: bool


def load_offline_catalog(db: Session) -> tuple[int, int]:
    catalog = OfflineCatalog()
    episodes = 0
    items = catalog.all_titles()
    for item in items:
        title = upsert_title(db, item)
        if item.media_type == MediaType.TV:
            episodes += upsert_episodes(db, title.id, catalog.get_episodes(item.tmdb_id))
    return len(items), episodes


def ensure_user(
    db: Session, email: str, password: str, role: UserRole, family_name: str | None = None
) -> tuple[User, bool]:
    user = db.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is not None:
        return user, False
    user = User(email=email, password_hash=hash_secret(password), role=role, family_name=family_name)
    db.add(user)
    db.flush()
    return user, True


def seed_demo(db: Session) -> SeedReport:
    titles, episodes = load_offline_catalog(db)
    seed_starter_packs(db)
    ensure_user(db, *DEMO_ADMIN, role=UserRole.ADMIN)
    parent, created = ensure_user(db, *DEMO_PARENT, role=UserRole.PARENT, family_name="The Demo Family")
    if created:
        _build_demo_family(db, parent)
    return SeedReport(titles=titles, episodes=episodes, family_created=created)


def _build_demo_family(db: Session, parent: User) -> None:
    db.add(StreamingServiceSelection(family_id=parent.id, selected_services=DEMO_SERVICES))
    titles = {t.title: t for t in db.execute(select(Title)).scalars()}
    for name, age, pin in DEMO_KIDS:
        kid = KidProfile(family_id=parent.id, name=name, age=age, pin_hash=hash_pin(pin))
        apply_preset(kid)  # rules mode with the preset of the kid's age, as for a new kid
        db.add(kid)
        db.flush()
        for title_name, policy in DEMO_POLICIES[name]:  # each puts its title in the family library
            title = titles[title_name]
            blocked = _first_episode_ids(db, title, 1) if (name, title_name) == ("Emma", "Bluey") else []
            db.add(KidProfileTitle(kid_profile_id=kid.id, title_id=title.id, policy=policy, blocked_episodes=blocked))
    db.flush()


def _first_episode_ids(db: Session, title: Title, count: int) -> list[int]:
    return list(
        db.execute(
            select(Episode.id)
            .where(Episode.title_id == title.id)
            .order_by(Episode.season_number, Episode.episode_number)
            .limit(count)
        ).scalars()
    )


def demo_logins() -> str:
    kids = ", ".join(f"{name} (PIN {pin})" for name, _, pin in DEMO_KIDS)
    return f"  parent: {DEMO_PARENT[0]} / {DEMO_PARENT[1]}  (kids: {kids})\n  admin:  {DEMO_ADMIN[0]} / {DEMO_ADMIN[1]}"


def published_logins_in_use(db: Session) -> list[str]:
    """The demo accounts that still open with the password the README publishes (a database
    seeded in development, then served in production, or restored from a development dump)."""
    found = []
    for email, password in (DEMO_ADMIN, DEMO_PARENT):
        stored = db.scalar(select(User.password_hash).where(User.email == email))
        if stored is not None and verify_secret(password, stored):
            found.append(email)
    return found
