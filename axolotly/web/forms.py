"""Form input through the API's own schemas, so a page accepts exactly what the API accepts."""

from pydantic import BaseModel, ValidationError

from axolotly.errors import Invalid


def validated(schema: type[BaseModel], **fields) -> BaseModel:
    try:
        return schema(**fields)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise Invalid(f"{field.replace('_', ' ').capitalize()}: {first['msg'].removeprefix('Value error, ')}") from None
