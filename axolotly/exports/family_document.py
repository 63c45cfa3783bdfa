"""family.json of a family's export (exports/family_export.py): the family, its parents, kids with
their rules, screen time and policies, the library, devices, services, requests and invitations —
without a password hash, PIN hash, key digest, push token or token digest. Titles, kids, devices
and parents are named next to their ids; times in the family's zone, with their offset.
"""

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from axolotly.catalog.providers import PROVIDERS_BY_ID
from axolotly.families.library import library_entries
from axolotly.families.scoping import owned_by
from axolotly.families.settings import load_family_settings
from axolotly.families.streaming import selected_services
from axolotly.models import (
    Device,
    Episode,
    FamilyInvitation,
    FamilyMember,
    KidProfile,
    KidProfileTitle,
    TimeRequest,
    Title,
    TitleRequest,
    User,
)
from axolotly.notifications.preferences import preferences_of

FORMAT_VERSION = 1  # family.json's shape: bumped when a field changes meaning


def family_document(db: Session, owner: User, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    family_id = owner.id
    settings = load_family_settings(db, family_id)
    parents = _parents(db, owner, zone)
    names = {parent["id"]: parent["name"] for parent in parents}
    kids = list(db.scalars(owned_by(select(KidProfile), KidProfile, family_id).order_by(KidProfile.id)))
    policies = _policies(db, family_id, zone, now)
    return {
        "format": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "family": {
            "id": family_id,
            "name": settings.family_name,
            "country": settings.country,
            "language": owner.language,
            "time_zone": settings.time_zone,
            "created_at": at_zone(owner.created_at, zone),
        },
        "parents": parents,
        "kids": [_kid(kid, policies.get(kid.id, []), zone) for kid in kids],
        "library": _library(db, family_id, names, zone),
        "devices": _devices(db, family_id, {kid.id: kid.name for kid in kids}, zone),
        "streaming_services": [
            {"id": service, "name": PROVIDERS_BY_ID[service].name if service in PROVIDERS_BY_ID else service}
            for service in selected_services(db, family_id)
        ],
        "title_requests": _title_requests(db, family_id, names, zone),
        "time_requests": _time_requests(db, family_id, names, zone),
        "invitations": _invitations(db, family_id, names, zone),
    }


def at_zone(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat() if moment is not None else None


def _clock(moment: time | None) -> str | None:
    return moment.strftime("%H:%M") if moment is not None else None


def _named(row_id: int | None, names: dict[int, str]) -> dict[str, Any] | None:
    """Someone by id and name; a parent who has left the family by id only."""
    return None if row_id is None else {"id": row_id, "name": names.get(row_id)}


def _parents(db: Session, owner: User, zone: ZoneInfo) -> list[dict[str, Any]]:
    members = db.execute(
        owned_by(select(User, FamilyMember.created_at), FamilyMember, owner.id)
        .join(User, User.id == FamilyMember.user_id)
        .order_by(FamilyMember.id)
    ).all()
    everyone = [(owner, "owner", owner.created_at), *((user, "co-parent", joined) for user, joined in members)]
    return [
        {
            "id": user.id,
            "name": user.name_or_email,
            "email": user.email,
            "display_name": user.display_name,
            "role": role,
            "language": user.language,
            "account_created_at": at_zone(user.created_at, zone),
            "parent_since": at_zone(joined, zone),
            "notifications": _notifications(user),
        }
        for user, role, joined in everyone
    ]


def _notifications(user: User) -> dict[str, Any]:
    preferences = preferences_of(user)
    quiet = preferences.quiet_hours
    return {
        "on": preferences.events,
        "quiet_hours": {"from": _clock(quiet[0]), "until": _clock(quiet[1])} if quiet else None,
    }


def _kid(kid: KidProfile, policies: list[dict[str, Any]], zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": kid.id,
        "name": kid.name,
        "age": kid.age,
        "created_at": at_zone(kid.created_at, zone),
        "rules": {
            "mode": kid.rules_mode,
            "max_movie_rating": kid.max_movie_rating,
            "max_tv_rating": kid.max_tv_rating,
            "block_unrated": kid.block_unrated,
            "blocked_tags": kid.blocked_tags,
            "ask_list": kid.ask_list,
        },
        "screen_time": {
            "enabled": kid.screen_time_enabled,
            "school_day_limit_minutes": kid.school_day_limit_minutes,
            "weekend_limit_minutes": kid.weekend_limit_minutes,
            "school_day_bedtime": _window(kid.school_day_bedtime_start, kid.school_day_bedtime_end),
            "weekend_bedtime": _window(kid.weekend_bedtime_start, kid.weekend_bedtime_end),
            "bonus_minutes": kid.bonus_minutes,
            "bonus_day": kid.bonus_day.isoformat() if kid.bonus_day else None,
            "paused_until": at_zone(kid.paused_until, zone),
            "episode_grace_minutes": kid.episode_grace_minutes,
        },
        "policies": policies,
    }


def _window(start: time | None, end: time | None) -> dict[str, str | None] | None:
    return {"from": _clock(start), "until": _clock(end)} if start is not None else None


def _policies(db: Session, family_id: int, zone: ZoneInfo, now: datetime) -> dict[int, list[dict[str, Any]]]:
    rows = db.execute(
        owned_by(select(KidProfileTitle, Title.title, Title.media_type), KidProfile, family_id)
        .join(KidProfile, KidProfile.id == KidProfileTitle.kid_profile_id)
        .join(Title, Title.id == KidProfileTitle.title_id)
        # An allow whose end has come is no rule any more (the job removes its row later).
        .where(KidProfileTitle.in_force_at(now))
        .order_by(KidProfileTitle.kid_profile_id, Title.title, KidProfileTitle.id)
    ).all()
    blocked_ids = {episode for policy, _, _ in rows for episode in policy.blocked_episodes}
    episodes = {
        episode.id: episode for episode in db.scalars(select(Episode).where(Episode.id.in_(sorted(blocked_ids))))
    }
    by_kid: dict[int, list[dict[str, Any]]] = {}
    for policy, name, media_type in rows:
        by_kid.setdefault(policy.kid_profile_id, []).append(
            {
                "title": {"id": policy.title_id, "name": name, "type": media_type},
                "policy": policy.policy,
                "allowed_until": at_zone(policy.allowed_until, zone),
                "since": at_zone(policy.created_at, zone),
                "blocked_episodes": [_episode(episode_id, episodes) for episode_id in policy.blocked_episodes],
            }
        )
    return by_kid


def _episode(episode_id: int, episodes: dict[int, Episode]) -> dict[str, Any]:
    episode = episodes.get(episode_id)
    if episode is None:  # the catalog no longer has it: the id is all there is
        return {"id": episode_id}
    return {
        "id": episode_id,
        "season": episode.season_number,
        "episode": episode.episode_number,
        "name": episode.name,
    }


def _library(db: Session, family_id: int, names: dict[int, str], zone: ZoneInfo) -> list[dict[str, Any]]:
    """The library as the Library page shows it: titles added by hand and titles a kid has a
    rule on (families/library.py library_entries; a rule's title has no row of its own)."""
    entries = library_entries(family_id)
    rows = db.execute(
        select(entries.c.title_id, entries.c.added_at, entries.c.added_by, Title.title, Title.media_type)
        .join(Title, Title.id == entries.c.title_id)
        .order_by(Title.title, Title.id)
    ).all()
    return [
        {
            "title": {"id": row.title_id, "name": row.title, "type": row.media_type},
            "added_at": at_zone(row.added_at, zone),
            "added_by": _named(row.added_by, names),
        }
        for row in rows
    ]


def _devices(db: Session, family_id: int, kids: dict[int, str], zone: ZoneInfo) -> list[dict[str, Any]]:
    devices = db.scalars(owned_by(select(Device), Device, family_id).order_by(Device.id))
    return [
        {
            "id": device.id,
            "name": device.friendly_name,
            "device_id": device.device_id,
            "kid": _named(device.kid_profile_id, kids),
            "any_kid_may_sign_in": device.any_kid,
            "paired_at": at_zone(device.paired_at, zone),
            "last_active": at_zone(device.last_active, zone),
            "model": device.device_model,
            "manufacturer": device.device_manufacturer,
            "app_version": device.app_version,
            "app_version_code": device.app_version_code,
            "last_watching": _named(device.watching_kid_id, kids),
            "last_watching_at": at_zone(device.watching_at, zone),
        }
        for device in devices
    ]


def _title_requests(db: Session, family_id: int, names: dict[int, str], zone: ZoneInfo) -> list[dict[str, Any]]:
    rows = db.execute(
        owned_by(select(TitleRequest, KidProfile.name, Title.title), TitleRequest, family_id)
        .join(KidProfile, KidProfile.id == TitleRequest.kid_profile_id)
        .join(Title, Title.id == TitleRequest.title_id)
        .order_by(TitleRequest.created_at, TitleRequest.id)
    ).all()
    return [
        {
            "id": request.id,
            "kid": {"id": request.kid_profile_id, "name": kid},
            "title": {"id": request.title_id, "name": title},
            "status": request.status,
            "asked_at": at_zone(request.created_at, zone),
            "answered_at": at_zone(request.answered_at, zone),
            "answered_by": _named(request.answered_by, names),
            "note": request.note,
        }
        for request, kid, title in rows
    ]


def _time_requests(db: Session, family_id: int, names: dict[int, str], zone: ZoneInfo) -> list[dict[str, Any]]:
    rows = db.execute(
        owned_by(select(TimeRequest, KidProfile.name), TimeRequest, family_id)
        .join(KidProfile, KidProfile.id == TimeRequest.kid_profile_id)
        .order_by(TimeRequest.created_at, TimeRequest.id)
    ).all()
    return [
        {
            "id": request.id,
            "kid": {"id": request.kid_profile_id, "name": kid},
            "day": request.day.isoformat(),
            "status": request.status,
            "minutes_granted": request.minutes,
            "asked_at": at_zone(request.created_at, zone),
            "answered_at": at_zone(request.answered_at, zone),
            "answered_by": _named(request.answered_by, names),
        }
        for request, kid in rows
    ]


def _invitations(db: Session, family_id: int, names: dict[int, str], zone: ZoneInfo) -> list[dict[str, Any]]:
    invitations = db.scalars(
        owned_by(select(FamilyInvitation), FamilyInvitation, family_id).order_by(FamilyInvitation.id)
    )
    return [
        {
            "id": invitation.id,
            "created_at": at_zone(invitation.created_at, zone),
            "expires_at": at_zone(invitation.expires_at, zone),
            "accepted_at": at_zone(invitation.accepted_at, zone),
            "accepted_by": _named(invitation.accepted_by, names),
        }
        for invitation in invitations
    ]


# -- the CSV files --------------------------------------------------------------------------------
