"""Form input through the API's own schemas, so a page accepts exactly what the API accepts."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from axolotly.errors import Invalid

Schema = TypeVar("Schema", bound=BaseModel)


def validated(schema: type[Schema], **fields: Any) -> Schema:
    try:
        return schema(**fields)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise Invalid(f"{field.replace('_', ' ').capitalize()}: {first['msg'].removeprefix('Value error, ')}") from None


# Fields never echoed into a page: the person types them again.
SECRET_WORDS = ("password", "pin")


def field_label(name: str) -> str:
    """ "current_password" -> "Current password", "pin" -> "PIN"."""
    words = name.replace("_", " ").capitalize().split(" ")
    return " ".join("PIN" if word.lower() == "pin" else word for word in words)


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
                secrets.append(
                    entry
                    | {"value": "", "prompt": entry["label"] if entry["label"].isupper() else entry["label"].lower()}
                )
        elif counts[name] > 1:
            repeated.append(entry)
        else:
            fields.append(entry | {"multiline": "\n" in value or len(value) > 120})
    return fields, repeated, secrets
