"""The catalog's request dependency: which source of titles this process searches and imports from."""

from typing import Annotated

from fastapi import Depends

from axolotly.catalog.sources import CatalogSource
from axolotly.catalog.tmdb import catalog_source
from axolotly.config import get_settings


def get_catalog_source() -> CatalogSource:
    return catalog_source(get_settings())


Source = Annotated[CatalogSource, Depends(get_catalog_source)]
