"""Ratings read in the family's country; without one there, the strictest elsewhere by age."""

from axolotly.i18n import use_language
from axolotly.policies.evaluate import Reason, Rules, TitleFacts, evaluate_title, rating_reading

EMMA_IE = Rules("rules", "12", "12", True, kid_name="Emma", country="IE")
EMMA_GB = Rules("rules", "12A", "12", True, kid_name="Emma", country="GB")


def movie(**certifications: str) -> TitleFacts:
    return TitleFacts(("netflix",), None, media_type="movie", certifications=certifications)


def test_without_a_rating_at_home_the_strictest_elsewhere_decides():
    title = movie(DE="16", GB="15")
    reading = rating_reading(title, EMMA_IE)
    assert (reading.rating, reading.country, reading.at_home) == ("16", "DE", False)
    decision = evaluate_title(None, [], title, EMMA_IE)
    assert decision.reason is Reason.ABOVE_LIMIT and not decision.visible
    assert decision.explanation == "No rating in Ireland; rated 16 in Germany, above Emma's limit, 12"


def test_a_rating_at_home_decides_by_the_scales_order():
    assert evaluate_title(None, [], movie(GB="12A", DE="16"), EMMA_GB).visible  # Germany's 16 does not count
    hidden = evaluate_title(None, [], movie(GB="15"), EMMA_GB)
    assert hidden.explanation == "15 is above Emma's limit, 12A"


def test_a_fallback_within_the_limit_says_where_its_rating_comes_from():
    decision = evaluate_title(None, [], movie(FR="TP", DE="6"), EMMA_IE)
    assert decision.visible and decision.reason is Reason.WITHIN_RULES
    assert decision.explanation == (
        "Within Emma's rules (no rating in Ireland; rated 6 in Germany), and streaming on a service the family has"
    )


def test_ratings_that_rate_nothing_leave_the_title_unrated():
    us_family = Rules("rules", "PG", "TV-PG", True, kid_name="Emma")
    assert evaluate_title(None, [], movie(US="NR"), us_family).reason is Reason.UNRATED
    assert evaluate_title(None, [], movie(US="NR", DE="0"), us_family).visible  # Germany's 0 reads instead
    assert evaluate_title(None, [], movie(GB="TV-14"), EMMA_IE).reason is Reason.UNRATED  # on no scale there


def test_the_spec_certification_is_the_us_rating_when_no_us_entry_is_kept():
    us_family = Rules("rules", "PG", "TV-PG", True, kid_name="Emma")
    assert not evaluate_title(None, [], TitleFacts(("netflix",), "R", media_type="movie"), us_family).visible
    rated_here = TitleFacts(("netflix",), "R", media_type="movie", certifications={"US": "PG"})
    assert evaluate_title(None, [], rated_here, us_family).visible


def test_a_cap_not_on_the_familys_scale_lets_no_rated_title_through():
    stale = Rules("rules", "PG-13", None, False, kid_name="Emma", country="DE")  # a US cap in Germany
    assert not evaluate_title(None, [], movie(DE="0"), stale).visible
    assert evaluate_title(None, [], movie(), stale).visible  # unrated, and unrated titles are allowed


def test_countries_are_named_in_the_readers_language():
    decision = evaluate_title(None, [], movie(DE="16"), EMMA_IE)
    with use_language("de"):
        assert "Deutschland" in decision.explanation and "Irland" in decision.explanation
    with use_language("fr"):
        assert "Allemagne" in decision.explanation
