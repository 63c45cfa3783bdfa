"""Small row builders for tests; each flushes so ids are there."""

import itertools

import bcrypt

from axolotly.models import Episode, KidProfile, Title, User

_sequence = itertools.count(1)
# Cheap rounds keep the suite fast; the check constraint accepts any cost.
TEST_PIN_HASH = bcrypt.hashpw(b"1234", bcrypt.gensalt(rounds=4)).decode()


def make_family(db, email: str | None = None, role: str = "parent") -> User:
    user = User(email=email or f"parent{next(_sequence)}@example.com", password_hash="x", role=role)
    db.add(user)
    db.flush()
    return user


def make_kid(db, family: User, name: str = "Kid") -> KidProfile:
    kid = KidProfile(family_id=family.id, name=name, pin_hash=TEST_PIN_HASH)
    db.add(kid)
    db.flush()
    return kid


def make_title(db, *, tmdb_id: int | None = None, media_type: str = "movie", providers=None, **fields) -> Title:
    title = Title(
        tmdb_id=tmdb_id or 800000 + next(_sequence),
        title=fields.pop("title", f"Title {next(_sequence)}"),
        media_type=media_type,
        providers=providers or [],
        **fields,
    )
    db.add(title)
    db.flush()
    return title


def make_episode(db, title: Title, season: int = 1, number: int | None = None, **fields) -> Episode:
    n = next(_sequence)
    episode = Episode(
        tmdb_episode_id=9000000 + n,
        title_id=title.id,
        season_number=season,
        episode_number=number if number is not None else n,
        name=fields.pop("name", f"Episode {n}"),
        **fields,
    )
    db.add(episode)
    db.flush()
    return episode
