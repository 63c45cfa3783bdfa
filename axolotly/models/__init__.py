"""One module per table; importing this package registers them all on Base.metadata."""

from axolotly.models.audit_events import AuditEvent
from axolotly.models.base import Base
from axolotly.models.content_reports import ContentReport
from axolotly.models.content_tags import ContentTag
from axolotly.models.devices import Device
from axolotly.models.ended_web_sessions import EndedWebSession
from axolotly.models.episode_links import EpisodeLink
from axolotly.models.episodes import Episode
from axolotly.models.family_invitations import FamilyInvitation
from axolotly.models.family_members import FamilyMember
from axolotly.models.family_titles import FamilyTitle
from axolotly.models.import_id_map import ImportIdMap
from axolotly.models.kid_profiles import KidProfile
from axolotly.models.kid_profiles_titles import KidProfileTitle
from axolotly.models.link_reports import LinkReport
from axolotly.models.notifications import Notification, NotificationDelivery
from axolotly.models.ota_releases import OtaRelease
from axolotly.models.pairing_codes import PairingCode
from axolotly.models.pairing_requests import PairingRequest
from axolotly.models.pin_lockouts import PinLockout
from axolotly.models.rate_limits import RateLimit
from axolotly.models.rating_scales import RatingScale
from axolotly.models.starter_packs import StarterPack, StarterPackTitle
from axolotly.models.streaming_service_selection import StreamingServiceSelection
from axolotly.models.time_requests import TimeRequest
from axolotly.models.title_requests import TitleRequest
from axolotly.models.titles import Title
from axolotly.models.usage import UsageDay, usage_sessions
from axolotly.models.users import User

__all__ = [
    "AuditEvent",
    "Base",
    "ContentReport",
    "ContentTag",
    "Device",
    "EndedWebSession",
    "Episode",
    "EpisodeLink",
    "FamilyInvitation",
    "FamilyMember",
    "FamilyTitle",
    "ImportIdMap",
    "KidProfile",
    "KidProfileTitle",
    "LinkReport",
    "Notification",
    "NotificationDelivery",
    "OtaRelease",
    "PairingCode",
    "PairingRequest",
    "PinLockout",
    "RateLimit",
    "RatingScale",
    "StarterPack",
    "StarterPackTitle",
    "StreamingServiceSelection",
    "TimeRequest",
    "Title",
    "TitleRequest",
    "UsageDay",
    "User",
    "usage_sessions",
]
