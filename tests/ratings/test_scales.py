"""The scales as data: spellings normalised, ages read, caps carried across scales."""

from axolotly.ratings.scales import Rating, kind_of, nearest_by_age, normalise, remap_cap, scale_of, snapshot

SCALES = snapshot()


def test_every_scale_lists_its_ratings_lowest_first_with_an_age_or_none():
    for country in SCALES.countries():
        for kind in ("movie", "tv"):
            scale = SCALES.scale(kind, country)
            if scale is None:
                continue
            assert [r.order for r in scale.ratings] == sorted(r.order for r in scale.ratings)
            assert all(r.min_age is None or 0 <= r.min_age <= 21 for r in scale.ratings)
    assert SCALES.min_age("movie", "GB", "12A") == 12 and SCALES.min_age("movie", "DE", "16") == 16
    assert SCALES.min_age("movie", "US", "NR") is None and SCALES.min_age("movie", "US", "nope") is None


def test_certifications_are_normalised_to_the_scales_spelling():
    assert normalise("movie", "DE", "FSK 12") == normalise("movie", "DE", "fsk12") == ("12", ())
    assert normalise("movie", "GB", " 12a ") == ("12A", ())
    assert normalise("movie", "AU", "ma15+") == ("MA 15+", ())
    assert normalise("tv", "US", "TV-PG-LV") == normalise("tv", "US", "tv-pg lv") == ("TV-PG", ("L", "V"))
    assert normalise("tv", "US", "TV-Y7-FV") == ("TV-Y7", ("FV",))


def test_a_value_on_no_scale_is_unrated_there():
    assert normalise("movie", "US", "TV-14") == (None, ())  # a TV rating on the movie scale
    assert normalise("movie", "US", "PG-13X") == (None, ())
    assert normalise("movie", "ZZ", "PG") == (None, ())
    assert normalise("movie", "US", "  ") == normalise("movie", "US", None) == (None, ())


def test_the_nearest_rating_by_age_never_opens_more_than_asked():
    german = SCALES.scale("movie", "DE")
    assert [nearest_by_age(german, age) for age in (0, 5, 6, 11, 12, 15, 16, 17)] == [
        "0",
        "0",
        "6",
        "6",
        "12",
        "12",
        "16",
        "16",
    ]
    assert nearest_by_age(german, None) is None


def test_a_cap_moves_to_the_nearest_rating_by_minimum_age():
    british, german, american = (SCALES.scale("movie", c) for c in ("GB", "DE", "US"))
    assert remap_cap(british, german, "15") == "12"  # 16 would open more than 15
    assert remap_cap(german, british, "16") == "15"
    assert remap_cap(american, german, "PG-13") == "12"
    assert remap_cap(american, german, None) is None
    assert remap_cap(american, german, "NR") == "0"  # no age to carry: the strictest classification


def test_a_titles_kind_comes_from_its_media_type():
    assert (kind_of("tv"), kind_of("movie"), kind_of("anything")) == ("tv", "movie", "movie")


def test_ratings_of_one_order_go_by_minimum_age_whatever_order_they_are_listed_in():
    listed = [Rating("16", 5, 16, ""), Rating("X", 8, 18, ""), Rating("12", 5, 12, ""), Rating("Exempt", 5, None, "")]
    assert scale_of("ES", "movie", listed).names() == ("Exempt", "12", "16", "X")
    same_age = [Rating("15", 4, 15, ""), Rating("15A", 4, 15, "")]
    assert scale_of("IE", "movie", same_age).names() == ("15", "15A")  # equal ages: as listed
