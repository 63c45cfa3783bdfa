"""Responses in the shape TMDB's v3 API returns them (trimmed to the fields we read)."""

from axolotly.catalog.tmdb import AsyncTmdbClient
from axolotly.config import Settings

BASE = "https://api.themoviedb.org/3"

SEARCH_MULTI = {
    "page": 1,
    "results": [
        {
            "id": 82728,
            "media_type": "tv",
            "name": "Bluey",
            "overview": "Blue Heeler puppy.",
            "first_air_date": "2018-10-01",
            "vote_average": 8.7,
            "poster_path": "/b9mY0X5T20ZqJj1E.jpg",
            "genre_ids": [16, 10762],
        },
        {
            "id": 277834,
            "media_type": "movie",
            "title": "Moana",
            "overview": "Ocean.",
            "release_date": "2016-11-23",
            "vote_average": 7.6,
            "poster_path": "/4JeejGugONWpJkbnvL12hVoYEDa.jpg",
        },
        {"id": 1, "media_type": "person", "name": "Somebody"},
    ],
    "total_pages": 1,
    "total_results": 3,
}

TV_DETAIL = {
    "id": 82728,
    "name": "Bluey",
    "overview": "Blue Heeler puppy.",
    "first_air_date": "2018-10-01",
    "vote_average": 8.66,
    "poster_path": "/poster.jpg",
    "backdrop_path": "/backdrop.jpg",
    "genres": [{"id": 16, "name": "Animation"}, {"id": 10762, "name": "Kids"}],
    "seasons": [
        {"season_number": 0, "episode_count": 1},
        {"season_number": 1, "episode_count": 2},
        {"season_number": 2, "episode_count": 1},
    ],
    "content_ratings": {"results": [{"iso_3166_1": "AU", "rating": "G"}, {"iso_3166_1": "US", "rating": "TV-Y"}]},
    "watch/providers": {
        "results": {
            "US": {
                "flatrate": [
                    {"provider_id": 337, "provider_name": "Disney Plus"},
                    {"provider_id": 9999, "provider_name": "Unknown"},
                ]
            },
            "GB": {"flatrate": [{"provider_id": 8, "provider_name": "Netflix"}]},
        }
    },
}

MOVIE_DETAIL = {
    "id": 277834,
    "title": "Moana",
    "overview": "Ocean.",
    "release_date": "2016-11-23",
    "vote_average": 7.6,
    "poster_path": "/moana.jpg",
    "backdrop_path": None,
    "genres": [{"id": 16, "name": "Animation"}, {"id": 12, "name": "Adventure"}],
    "release_dates": {
        "results": [
            {
                "iso_3166_1": "US",
                "release_dates": [{"certification": "", "type": 1}, {"certification": "PG", "type": 3}],
            }
        ]
    },
    "watch/providers": {"results": {"US": {"flatrate": [{"provider_id": 337}], "rent": [{"provider_id": 2}]}}},
}


def season(number: int, count: int) -> dict:
    return {
        "season_number": number,
        "episodes": [
            {
                "id": 82728 * 1000 + number * 100 + n,
                "episode_number": n,
                "season_number": number,
                "name": f"Episode {number}x{n}",
                "overview": "",
                "air_date": "2019-01-01",
                "still_path": f"/s{number}e{n}.jpg",
                "runtime": 7,  # minutes (Bluey's episodes are short)
            }
            for n in range(1, count + 1)
        ],
    }


# No US certification: other countries' only, or US releases with an empty one (TMDB sends "").
TV_DETAIL_WITHOUT_US = TV_DETAIL | {
    "content_ratings": {"results": [{"iso_3166_1": "AU", "rating": "G"}, {"iso_3166_1": "US", "rating": ""}]}
}
MOVIE_DETAIL_WITHOUT_US = MOVIE_DETAIL | {
    "release_dates": {
        "results": [
            {"iso_3166_1": "GB", "release_dates": [{"certification": "U", "type": 3}]},
            {"iso_3166_1": "US", "release_dates": [{"certification": "", "type": 3}]},
        ]
    }
}


def async_tmdb(**overrides) -> AsyncTmdbClient:
    """What the routes ask (awaited), for `dependency_overrides[get_catalog_source]`."""

    async def no_wait(seconds):
        return None

    return AsyncTmdbClient(Settings(tmdb_api_key="test-key", **overrides), sleep=no_wait)


def _release(country: str, *releases: tuple[str, int]) -> dict:
    return {
        "iso_3166_1": country,
        "release_dates": [{"certification": certification, "type": kind} for certification, kind in releases],
    }


def _offers(**kinds: list[tuple[int, str]]) -> dict:
    return {kind: [{"provider_id": i, "provider_name": name} for i, name in offers] for kind, offers in kinds.items()}


# A film rated in several countries, each with several releases (TMDB's release types: 1 premiere,
# 2 limited theatrical, 3 theatrical, 4 digital, 5 physical, 6 TV), and streaming in several regions.
MOVIE_DETAIL_WORLDWIDE = MOVIE_DETAIL | {
    "release_dates": {
        "results": [
            _release("US", ("", 1), ("PG-13", 4), ("PG", 3)),  # theatrical wins over digital
            _release("GB", ("15", 1), ("12A", 2), ("12", 5)),  # limited theatrical beats physical, premiere
            _release("DE", ("", 3), ("FSK 12", 4), ("16", 6)),  # no theatrical rating: digital, "FSK 12" is 12
            _release("FR", ("Tous publics", 1)),  # only a premiere, but off the French scale: unrated there
            _release("AU", ("M", 6), ("PG", 5)),  # physical before TV
            _release("NL", ("", 3)),  # only empty certifications
            _release("ZZ", ("PG", 3)),  # no scale at all
        ]
    },
    "watch/providers": {
        "results": {
            "US": _offers(flatrate=[(337, "Disney Plus")], rent=[(2, "Apple TV")]),
            "GB": _offers(flatrate=[(8, "Netflix")], free=[(38, "BBC iPlayer")], ads=[(9999, "ITVX")]),
            "DE": _offers(flatrate=[(304, "Joyn"), (4242, "ZDF")], buy=[(10, "Amazon Video")]),
            "JP": _offers(flatrate=[(15, "Hulu"), (4343, "U-NEXT")]),
            "AU": _offers(flatrate=[(4444, "Stan"), (4545, "BBC iPlayer")]),  # iPlayer is not offered in AU
            "IT": _offers(rent=[(2, "Apple TV")]),  # nothing included: no entry
        }
    },
}

# A show with US TV content descriptors glued to its rating, in lower case, and a rating off a scale.
TV_DETAIL_WORLDWIDE = TV_DETAIL | {
    "content_ratings": {
        "results": [
            {"iso_3166_1": "US", "rating": " tv-pg-lv "},
            {"iso_3166_1": "DE", "rating": "6"},
            {"iso_3166_1": "GB", "rating": "Banned-ish"},
            {"iso_3166_1": "BR", "rating": "L"},
            {"iso_3166_1": "KR", "rating": ""},
        ]
    },
    "watch/providers": {
        "results": {
            "FR": _offers(flatrate=[(5151, "France TV"), (5252, "Arte")]),
            "DE": _offers(free=[(5252, "ARTE")]),
            "CA": _offers(flatrate=[(230, "Crave")], ads=[(5353, "CBC Gem")]),
            "BR": _offers(flatrate=[(307, "Globoplay")]),
        }
    },
}
