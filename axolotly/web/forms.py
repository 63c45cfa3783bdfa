"""Form input through the API's own schemas, so a page accepts exactly what the API accepts.

A refused form is told in the reader's language: the field's label and the common problems
(too long, too short, missing, out of range) come from the catalog; a problem it does not hold
stays in pydantic's English.
"""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from axolotly.errors import Invalid
from axolotly.i18n import N_, current_language, gettext, ngettext

Schema = TypeVar("Schema", bound=BaseModel)


def validated(schema: type[Schema], **fields: Any) -> Schema:
    try:
        return schema(**fields)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        words = gettext("%(field)s: %(problem)s") % {"field": field_label(field), "problem": problem(first)}
        raise Invalid(words) from None


def problem(error: ErrorDetails) -> str:
    """Pydantic's words for what is wrong, translated for the kinds a form meets; msgids are
    pydantic's own English, so an English page reads exactly as before."""
    context = error.get("ctx") or {}
    kind = error["type"]
    if kind == "string_too_long":
        limit = int(context["max_length"])
        words = ngettext(
            "String should have at most %(num)d character", "String should have at most %(num)d characters", limit
        )
        return words % {"num": limit}
    if kind == "string_too_short":
        limit = int(context["min_length"])
        words = ngettext(
            "String should have at least %(num)d character", "String should have at least %(num)d characters", limit
        )
        return words % {"num": limit}
    if kind == "missing":
        return gettext("Field required")
    if kind == "greater_than_equal":
        return gettext("Input should be greater than or equal to %(limit)s") % {"limit": context["ge"]}
    if kind == "less_than_equal":
        return gettext("Input should be less than or equal to %(limit)s") % {"limit": context["le"]}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return gettext("Input should be a valid integer")
    if kind == "string_pattern_mismatch":
        return gettext("The value is not in the expected form")
    said = error["msg"].removeprefix("Value error, ")  # a validator's own words, if the catalog has them
    if kind == "value_error" and said.startswith("value is not a valid email address") and current_language() != "en":
        # email-validator gives many English reasons: another language says it once, whole.
        return gettext("Not a valid email address: it needs one @ with a domain after it (name@example.com)")
    return gettext(said)


# Fields never echoed into a page: the person types them again.
SECRET_WORDS = ("password", "pin")

# The fields a parent fills in, as a page names them (label, and the word inside a sentence: "type
# your password again"); any other field is named after itself ("release_notes" -> "Release notes").
FIELD_LABELS = {
    "until": N_("Until"),
    "name": N_("Name"),
    "age": N_("Age"),
    "pin": N_("PIN"),
    "email": N_("Email"),
    "password": N_("Password"),
    "new_password": N_("New password"),
    "current_password": N_("Current password"),
    "display_name": N_("Display name"),
    "family_name": N_("Family name"),
    "friendly_name": N_("Device name"),
    "time_zone": N_("Time zone"),
    "description": N_("Description"),
    "minutes": N_("Minutes"),
    "note": N_("Note"),
    "q": N_("Search"),
}
SECRET_PROMPTS = {
    "pin": N_("PIN"),
    "password": N_("password"),
    "new_password": N_("new password"),
    "current_password": N_("current password"),
}


def field_label(name: str) -> str:
    """ "current_password" -> "Current password", "pin" -> "PIN" (in the reader's language)."""
    if name in FIELD_LABELS:
        return gettext(FIELD_LABELS[name])
    words = name.replace("_", " ").capitalize().split(" ")
    return " ".join("PIN" if word.lower() == "pin" else word for word in words)


def secret_prompt(name: str, label: str) -> str:
    """The secret's name inside a sentence ("type your password again")."""
    if name in SECRET_PROMPTS:
        return gettext(SECRET_PROMPTS[name])
    return label if label.isupper() else label.lower()


def resubmittable(sent: list[tuple[str, str]]) -> tuple[list[dict], list[dict], list[dict]]:
    """A refused form's fields, for showing it again: (single text fields with their values,
    repeated fields such as ticked boxes, kept as they were, secrets to type again)."""
    counts: dict[str, int] = {}
    for name, _ in sent:
        counts[name] = counts.get(name, 0) + 1
    fields, repeated, secrets, seen_secrets = [], [], [], set()
    for name, value in sent:
        entry = {"name": name, "label": field_label(name), "value": value}
        if any(word in name.lower() for word in SECRET_WORDS):
            if name not in seen_secrets:
                seen_secrets.add(name)
                secrets.append(entry | {"value": "", "prompt": secret_prompt(name, entry["label"])})
        elif counts[name] > 1:
            repeated.append(entry)
        else:
            fields.append(entry | {"multiline": "\n" in value or len(value) > 120})
    return fields, repeated, secrets
