"""What a change would do to the kids' launchers, shown before it is saved (issue 27).

The change is made for real inside a SAVEPOINT, each affected kid's launcher is read before and
after it with the launcher's own statement (launcher/service.py page_launcher), and the savepoint
is rolled back: the preview is the launcher's decision itself, never a second opinion that could
drift from it. Whatever the change wrote goes with the rollback: its rows, its activity-trail
line, the jobs it deferred (procrastinate queues on the same connection), the launcher_version
bumps of the triggers and their pg_notify (PostgreSQL drops a rolled-back subtransaction's
notifications). A change that refuses (an unknown rating, a title not in the library) refuses
here the same way, with nothing written.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from axolotly.enums import PolicyKind
from axolotly.families import library, rules
from axolotly.families.context import FamilyContext
from axolotly.families.kids import list_kids
from axolotly.launcher.query import POSTER_BASE
from axolotly.launcher.service import page_launcher
from axolotly.models import KidProfile, Title
from axolotly.policies import service as policies
from axolotly.policies.evaluate import Rules


@dataclass(frozen=True)
class TitleCard:
    id: int
    title: str
    media_type: str  # "movie" | "tv"
    poster_path: str | None

    @property
    def poster_url(self) -> str | None:
        """The poster the launcher shows (pages draw their own for a title without one)."""
        return POSTER_BASE + self.poster_path if self.poster_path else None


@dataclass(frozen=True)
class KidPreview:
    kid_id: int
    kid_name: str
    appear: list[TitleCard]  # sorted by title, like the launcher
    disappear: list[TitleCard]

    @property
    def changed(self) -> bool:
        return bool(self.appear or self.disappear)


class RulesPreview(NamedTuple):
    kid: KidPreview
    proposed: Rules  # the rules as they would be saved (caps spelled as the scale spells them)


def launcher_title_ids(db: Session, family_id: int, kid_id: int) -> set[int]:
    """The titles in the kid's launcher (a title under two services counts once)."""
    return {int(item["id"]) for group in page_launcher(db, family_id, kid_id) for item in group["content"]}


def preview_change(
    db: Session, family_id: int, kids: Sequence[KidProfile], apply: Callable[[], object]
) -> list[KidPreview]:
    """Per kid (in the order given): the titles `apply` would bring into and take out of the
    launcher. `apply` makes the change as the save would; nothing of it outlives this call."""
    names = {kid.id: kid.name for kid in kids}  # read now: the rollback expires what the change touched
    before = {kid_id: launcher_title_ids(db, family_id, kid_id) for kid_id in names}
    savepoint = db.begin_nested()
    try:
        apply()
        db.flush()
        after = {kid_id: launcher_title_ids(db, family_id, kid_id) for kid_id in names}
    finally:
        savepoint.rollback()
    cards = _cards(db, set().union(*(before[k] ^ after[k] for k in names)))
    return [
        KidPreview(
            kid_id,
            name,
            [card for card in cards if card.id in after[kid_id] - before[kid_id]],
            [card for card in cards if card.id in before[kid_id] - after[kid_id]],
        )
        for kid_id, name in names.items()
    ]


def _cards(db: Session, title_ids: set[int]) -> list[TitleCard]:
    if not title_ids:
        return []
    rows = db.execute(
        select(Title.id, Title.title, Title.media_type, Title.poster_path)
        .where(Title.id.in_(title_ids))
        .order_by(Title.title, Title.id)
    )
    return [TitleCard(*row) for row in rows]


def _rules_preview(db: Session, kid: KidProfile, apply: Callable[[], object]) -> RulesPreview:
    """A change of the kid's own rules: only this kid's launcher can move (siblings' rules are their own)."""
    proposed: list[Rules] = []

    def apply_and_keep() -> None:
        apply()
        proposed.append(rules.kid_rules(kid))  # read inside the savepoint, before the rollback

    (previewed,) = preview_change(db, kid.family_id, [kid], apply_and_keep)
    return RulesPreview(previewed, proposed[0])


def preview_rules(
    db: Session,
    kid: KidProfile,
    mode: str,
    max_movie_rating: str | None,
    max_tv_rating: str | None,
    block_unrated: bool,
    blocked_tags: list[str],
) -> RulesPreview:
    """What PUT /kids/{id}/rules with these values would do (families/rules.py set_rules)."""
    return _rules_preview(
        db,
        kid,
        lambda: rules.set_rules(db, kid, mode, max_movie_rating, max_tv_rating, block_unrated, blocked_tags),
    )


def preview_preset(db: Session, kid: KidProfile, age: int) -> RulesPreview:
    """What one of the rules form's preset buttons would do (families/rules.py set_preset)."""
    return _rules_preview(db, kid, lambda: rules.set_preset(db, kid, age))


def preview_removal(db: Session, family: FamilyContext, title_id: int) -> list[KidPreview]:
    """What removing the title from the family library would do, for every kid of the family."""
    return preview_change(
        db, family.id, list_kids(db, family.id), lambda: library.remove_from_library(db, family, title_id)
    )


def preview_allow(
    db: Session, kid: KidProfile, title_id: int, policy: PolicyKind = PolicyKind.ALLOW, until: datetime | None = None
) -> list[KidPreview]:
    """What allowing (or denying) the title for `kid` would do now, for every kid of the family: a
    policy puts the title in the family library, where siblings in rules mode may then see it."""
    return preview_change(
        db,
        kid.family_id,
        list_kids(db, kid.family_id),
        lambda: policies.set_policy(db, kid, title_id, policy, until),
    )
