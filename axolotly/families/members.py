"""Co-parents: the owner invites with a single-use link, the invitee joins, the owner removes.

- An invitation's token is shown once (to the owner, to share as they like: no mail server is
  needed) and stored as its SHA-256; it is valid 7 days and spent by the first acceptance.
- A user belongs to one family: a co-parent elsewhere, or an account that already has a family
  of its own (kids, devices, services, codes, reports or co-parents), cannot join another; its
  own open invitations die when it joins (and an owner who joined elsewhere invites nobody). Both
  users rows are locked (in id order) while an invitation is accepted, so two acceptances that
  would cross cannot both pass.
- The owner may also have the link mailed (to any address, throttled per family, per recipient
  and over all families): the mail says who invites, to which family, the link (on PUBLIC_URL,
  never on the request's Host header: accounts/links.py) and until when it works; it leaves after
  the commit.
- A co-parent acts with the owner's rights except inviting and removing co-parents, removing the
  owner or deleting the family; a co-parent may leave.
- The family's parents are told when a co-parent joins (but the one who joined) or leaves
  (notifications/outbox.py); one who leaves loses the notices the family sent them.
"""

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from axolotly.accounts.links import link_base
from axolotly.audit import service as audit
from axolotly.db.results import affected_rows
from axolotly.enums import UserRole
from axolotly.errors import Conflict, Forbidden, NotFound
from axolotly.families.context import FamilyContext, FamilyRole, act_for_family, family_of
from axolotly.families.scoping import owned_by
from axolotly.families.settings import default_name, family_zone
from axolotly.i18n import N_, family_language, format_moment, format_time, gettext, use_language
from axolotly.mail import Mail
from axolotly.models import (
    ContentReport,
    Device,
    FamilyInvitation,
    FamilyMember,
    KidProfile,
    Notification,
    PairingCode,
    StreamingServiceSelection,
    User,
)
from axolotly.notifications.outbox import notify
from axolotly.security import rate_limits
from axolotly.security.rate_limits import Limit

INVITATION_LIFETIME = timedelta(days=7)
MAX_OPEN_INVITATIONS = 10
INVITATION_GONE = "This invitation is unknown, used or expired; ask for a new one"


INVITATION_MAILS_PER_HOUR = 20  # per family
INVITATION_MAILS_PER_RECIPIENT_PER_DAY = 3  # nobody's mailbox is flooded by one family or many
INVITATION_MAILS_PER_HOUR_OVERALL = 200  # our sender's reputation, whatever the number of families
TOO_MANY_MAILS = "Too many invitation mails; try again later, or share the link yourself"


@dataclass(frozen=True)
class Member:
    user_id: int
    email: str
    display_name: str | None
    role: FamilyRole
    joined_at: datetime

    @property
    def name(self) -> str:
        """How the pages name the parent: their display name, else their email."""
        return self.display_name or self.email


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(db: Session, family: FamilyContext) -> tuple[FamilyInvitation, str]:
    """A new invitation of the family (owner only) and its token, shown once."""
    if not family.is_owner:
        raise Forbidden(N_("Only the family's owner can invite co-parents"))
    db.execute(select(User.id).where(User.id == family.id).with_for_update())  # one inviter at a time
    open_invitations = db.scalar(
        owned_by(select(func.count()).select_from(FamilyInvitation), FamilyInvitation, family.id).where(
            FamilyInvitation.accepted_at.is_(None), FamilyInvitation.expires_at > func.now()
        )
    )
    if open_invitations >= MAX_OPEN_INVITATIONS:
        raise Conflict(
            N_("At most %(num)d open invitations; wait for one to be used or expire"), num=MAX_OPEN_INVITATIONS
        )
    token = secrets.token_urlsafe(32)
    invitation = FamilyInvitation(
        family_id=family.id, token_digest=_digest(token), expires_at=func.now() + INVITATION_LIFETIME
    )
    db.add(invitation)
    db.flush()
    db.refresh(invitation, ["expires_at"])
    audit.record(db, family.id, "member_invited", "Created an invitation for a co-parent")
    return invitation, token


def invitation_url(base_url: str, token: str) -> str:
    """The link to share: on PUBLIC_URL, else (outside production only) the request's own address."""
    return f"{link_base(base_url, 'Invitation links')}/join/{token}"


def _one_line(text: str) -> str:
    """A name fit for a mail's subject: names are refused with control characters at input
    (types.py OneLineText), but a row saved before that rule may still hold one."""
    return "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)


def invitation_family(db: Session, token: str) -> User | None:
    """The owner of the family a live invitation is for (to show "Join …"), or None."""
    return db.scalar(
        select(User)
        .join(FamilyInvitation, FamilyInvitation.family_id == User.id)
        .where(
            FamilyInvitation.token_digest == _digest(token),
            FamilyInvitation.accepted_at.is_(None),
            FamilyInvitation.expires_at > func.now(),
        )
    )


def _has_a_family_of_its_own(db: Session, user_id: int) -> bool:
    owned = [
        owned_by(select(1), model, user_id)
        for model in (KidProfile, Device, PairingCode, StreamingServiceSelection, ContentReport, FamilyMember)
    ]
    return bool(db.scalar(select(or_(*(exists(query) for query in owned)))))


def accept_invitation(db: Session, user: User, token: str) -> FamilyContext:
    """`user` becomes a co-parent of the invitation's family; the invitation is spent."""
    invitation = db.scalar(select(FamilyInvitation).where(FamilyInvitation.token_digest == _digest(token)))
    if invitation is None:
        raise NotFound(INVITATION_GONE)
    # The invitee and the inviting owner, in id order (invite() takes the owner's lock too).
    db.execute(select(User.id).where(User.id.in_((user.id, invitation.family_id))).order_by(User.id).with_for_update())
    db.refresh(invitation, with_for_update=True)
    if invitation.accepted_at is not None or not db.scalar(select(func.now() < invitation.expires_at)):
        raise NotFound(INVITATION_GONE)
    owner = db.get_one(User, invitation.family_id)
    if family_of(db, owner).role is FamilyRole.CO_PARENT:  # the owner has joined another family since
        raise NotFound(INVITATION_GONE)
    if user.role != UserRole.PARENT:
        raise Forbidden(N_("Only parent accounts can join a family"))
    if invitation.family_id == user.id:
        raise Conflict(N_("This is your own family's invitation"))
    if family_of(db, user).role is FamilyRole.CO_PARENT:
        raise Conflict(N_("You already belong to a family; leave it first"))
    if _has_a_family_of_its_own(db, user.id):
        raise Conflict(
            "This account already has a family of its own (kids, devices or co-parents); "
            "sign up with another email to join"
        )
    db.add(FamilyMember(family_id=invitation.family_id, user_id=user.id))
    spent = affected_rows(
        db.execute(
            update(FamilyInvitation)
            .where(FamilyInvitation.id == invitation.id, FamilyInvitation.accepted_at.is_(None))
            .values(accepted_at=func.now(), accepted_by=user.id)
        )
    )
    if not spent:
        raise NotFound(INVITATION_GONE)
    db.execute(
        owned_by(delete(FamilyInvitation), FamilyInvitation, user.id).where(FamilyInvitation.accepted_at.is_(None))
    )
    db.flush()
    family = act_for_family(db, user)
    audit.record(db, family.id, "member_joined", f"{user.name_or_email} joined as a co-parent")
    notify(
        db,
        family.id,
        "co_parent_joined",
        facts={"name": user.display_name, "email": user.email},
        skip_user_id=user.id,  # the one who joined knows
    )
    return family


def members(db: Session, family_id: int) -> list[Member]:
    """The owner first, then co-parents in the order they joined."""
    owner = db.get_one(User, family_id)
    rows = db.execute(
        owned_by(
            select(User, FamilyMember.created_at).join(FamilyMember, FamilyMember.user_id == User.id),
            FamilyMember,
            family_id,
        ).order_by(FamilyMember.created_at, User.id)
    ).all()
    return [
        Member(owner.id, owner.email, owner.display_name, FamilyRole.OWNER, owner.created_at),
        *(Member(user.id, user.email, user.display_name, FamilyRole.CO_PARENT, joined) for user, joined in rows),
    ]


def names_by_email(db: Session, family_id: int) -> dict[str, str]:
    """The family's parents' names by email, for the activity trail (its `actor` is an email)."""
    return {member.email: member.name for member in members(db, family_id)}


def parent_names(db: Session, user_ids: set[int]) -> dict[int, str]:
    """Names of these parents (who answered the family's requests), whether or not still members."""
    if not user_ids:
        return {}
    rows = db.execute(select(User.id, User.display_name, User.email).where(User.id.in_(user_ids)))
    return {user_id: display_name or email for user_id, display_name, email in rows}


def remove_member(db: Session, family: FamilyContext, user_id: int) -> None:
    """The owner removes a co-parent, or a co-parent leaves; nobody removes the owner."""
    if user_id == family.id:
        raise Forbidden(N_("The family's owner cannot be removed"))
    member = db.scalar(
        owned_by(select(FamilyMember), FamilyMember, family.id).where(FamilyMember.user_id == user_id).with_for_update()
    )
    if member is None:  # looked up first: another family's member is "not found", whoever asks
        raise NotFound(N_("Member not found"))
    if not family.is_owner and user_id != family.user.id:
        raise Forbidden(N_("Only the family's owner can remove co-parents"))
    leaving = db.get_one(User, user_id)
    db.delete(member)
    # What the family told them stays with the family: their list holds only their family's notices.
    db.execute(owned_by(delete(Notification), Notification, family.id).where(Notification.recipient_id == user_id))
    db.flush()
    audit.record(db, family.id, "member_removed", f"{leaving.name_or_email} is no longer a co-parent")
    notify(
        db,
        family.id,
        "co_parent_left",
        facts={"name": leaving.display_name, "email": leaving.email, "removed": user_id != family.user.id},
    )


def family_name(db: Session, family_id: int) -> str:
    owner = db.get_one(User, family_id)
    return owner.family_name or default_name(owner.email)


def open_invitations(db: Session, family: FamilyContext) -> list[FamilyInvitation]:
    """The owner's invitations nobody has used yet (their tokens are not kept: only the link shows them)."""
    if not family.is_owner:
        raise Forbidden(N_("Only the family's owner can see invitations"))
    return list(
        db.scalars(
            owned_by(select(FamilyInvitation), FamilyInvitation, family.id)
            .where(FamilyInvitation.accepted_at.is_(None), FamilyInvitation.expires_at > func.now())
            .order_by(FamilyInvitation.created_at, FamilyInvitation.id)
        )
    )


def invitation_mail(db: Session, family: FamilyContext, token: str, recipient: str, base_url: str) -> Mail:
    """The mail of an open invitation of the family (owner only; its token from the page that
    showed the link) to `recipient`; the caller sends it after the commit."""
    invitation = db.scalar(
        owned_by(select(FamilyInvitation), FamilyInvitation, family.id).where(
            FamilyInvitation.token_digest == _digest(token),
            FamilyInvitation.accepted_at.is_(None),
            FamilyInvitation.expires_at > func.now(),
        )
    )
    if invitation is None:
        raise NotFound(INVITATION_GONE)
    if not family.is_owner:
        raise Forbidden(N_("Only the family's owner can invite co-parents"))
    url = invitation_url(base_url, token)  # before spending: a server that builds no link mails nothing
    # Family, then recipient, then everyone's: a family refused for its own bursts eats no shared budget.
    rate_limits.spend_all(
        (
            Limit(f"invitation-mails:family:{family.id}", INVITATION_MAILS_PER_HOUR, timedelta(hours=1)),
            Limit(
                f"invitation-mails:to:{recipient.strip().lower()}",
                INVITATION_MAILS_PER_RECIPIENT_PER_DAY,
                timedelta(days=1),
            ),
            Limit("invitation-mails:all", INVITATION_MAILS_PER_HOUR_OVERALL, timedelta(hours=1)),
        ),
        TOO_MANY_MAILS,
    )
    inviter, name = _one_line(family.user.name_or_email), _one_line(family_name(db, family.id))
    expires = invitation.expires_at.astimezone(family_zone(db, family.id))
    audit.record(db, family.id, "member_invited", f"Mailed an invitation to {recipient}")
    with use_language(family_language(family.user)):  # the inviting family's language (the owner invites)
        words = {"inviter": inviter, "email": family.user.email, "family": name}
        return Mail(
            recipient,
            gettext("%(inviter)s invites you to %(family)s on Axolotly") % words,
            gettext(
                "%(inviter)s (%(email)s) invites you to be a co-parent of %(family)s on Axolotly: you would "
                "manage the kids' screen time, what they may watch, and their devices together."
            )
            % words
            + "\n\n"
            + gettext("To join, open this link:")
            + f"\n{url}\n\n"
            + gettext("It works once, until %(date)s at %(time)s (time zone %(zone)s).")
            % {"date": format_moment(expires, "full_date"), "time": format_time(expires), "zone": expires.tzinfo}
            + "\n"
            + gettext("If you do not know who sent this, ignore it: nothing happens without the link.")
            + "\n",
        )


def revoke_invitation(db: Session, family: FamilyContext, invitation_id: int) -> None:
    """A link shared in the wrong place stops working at once."""
    invitation = db.scalar(
        owned_by(select(FamilyInvitation), FamilyInvitation, family.id).where(
            FamilyInvitation.id == invitation_id, FamilyInvitation.accepted_at.is_(None)
        )
    )
    if invitation is None:
        raise NotFound(N_("Invitation not found"))
    if not family.is_owner:
        raise Forbidden(N_("Only the family's owner can revoke invitations"))
    db.delete(invitation)
    db.flush()
    audit.record(db, family.id, "member_invited", "Revoked an invitation")
