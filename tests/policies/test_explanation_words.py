"""Explanations say what is true on each path, and name tags as a parent reads them."""

from sqlalchemy import select

from axolotly.catalog.tags import TAG_LABELS, category_label, spoken_tags, tag_label
from axolotly.families.rules import describe
from axolotly.models import ContentTag
from axolotly.policies.evaluate import Policy, Reason, Rules, TitleFacts, evaluate_episode, evaluate_title

MATEO = Rules("rules", "G", "TV-Y7", True, frozenset({"mild_peril"}), "Mateo", tag_label)
ON_NETFLIX = TitleFacts(("netflix",), "G", frozenset({"animated"}))


def test_every_tag_of_the_shipped_vocabulary_has_a_parent_label(db):
    """The migration's tags (in the database built by the migrations) each have a written label."""
    shipped = set(db.scalars(select(ContentTag.tag).where(ContentTag.description.is_not(None))))
    assert shipped and shipped <= set(TAG_LABELS)
    for label in TAG_LABELS.values():
        assert "_" not in label and label[0].isupper()


def test_labels_are_names_and_unknown_tags_read_as_words():
    assert (tag_label("age_0_4"), tag_label("rated_pg13"), tag_label("mild_peril")) == (
        "Ages 0–4",
        "Rated PG-13",
        "Mild peril",
    )
    assert tag_label("sensitive_topics") == "Sensitive Topics"
    assert category_label("death_loss") == "Death and loss" and category_label("new_group") == "New Group"
    assert category_label(None) == category_label(" ") == "Other"
    assert spoken_tags({"war", "mild_peril"}) == "“Mild peril” and “War”" and spoken_tags(set()) == ""


def test_a_title_within_the_rules_but_on_no_chosen_service_is_not_called_allowed():
    decision = evaluate_title(None, ["hulu"], ON_NETFLIX, MATEO)
    assert decision.reason is Reason.NOT_ON_YOUR_SERVICES
    assert (
        decision.explanation == "In your library and within Mateo's rules (G), but not on any of the family's services"
    )
    nowhere = evaluate_title(None, [], TitleFacts((), "G"), MATEO)
    assert (
        nowhere.explanation
        == "In your library and within Mateo's rules (G), but no streaming service is known to carry it"
    )


def test_an_allowed_title_on_no_chosen_service_says_a_parent_allowed_it():
    decision = evaluate_title(Policy("allow"), ["hulu"], ON_NETFLIX, MATEO)
    assert decision.explanation == "Allowed by you, but not on any of the family's services"
    allow_list = Rules(kid_name="Sofia")
    assert evaluate_title(Policy("allow"), [], TitleFacts(()), allow_list).explanation == (
        "Allowed by you, but no streaming service is known to carry it"
    )


def test_an_allow_over_the_rules_on_no_chosen_service_says_both():
    peril = TitleFacts(("netflix",), "G", frozenset({"mild_peril"}))
    decision = evaluate_title(Policy("allow"), ["hulu"], peril, MATEO)
    assert decision.explanation == (
        "Allowed by you (although tagged “Mild peril”, which Mateo's rules block), "
        "but not on any of the family's services"
    )
    shown = evaluate_title(Policy("allow"), ["netflix"], peril, MATEO)
    assert (
        shown.visible and shown.explanation == "Allowed by you, although tagged “Mild peril”, which Mateo's rules block"
    )


def test_the_other_paths_keep_their_words():
    assert evaluate_title(None, ["netflix"], ON_NETFLIX, MATEO).explanation == (
        "Within Mateo's rules (G), and streaming on a service the family has"
    )
    assert evaluate_title(None, [], ON_NETFLIX, Rules(kid_name="Sofia")).explanation == (
        "Not allowed yet: nothing is visible until a parent allows it"
    )
    hidden = evaluate_title(None, [], TitleFacts(("netflix",), "G", frozenset({"mild_peril", "war"})), MATEO)
    assert hidden.explanation == "Tagged “Mild peril”, which Mateo's rules block"  # war is not blocked
    episode = evaluate_episode(None, ["netflix"], ON_NETFLIX, 7, MATEO, frozenset({"mild_peril"}))
    assert episode.explanation == "This episode is tagged “Mild peril”, which Mateo's rules block"


def test_a_kids_rules_read_in_words():
    rules = Rules("rules", "PG", None, True, frozenset({"death_of_parent", "mild_peril"}), "Mateo", tag_label)
    words = describe(rules)
    assert words == (
        "movies up to PG; TV up to any rating; unrated titles hidden; "
        "hiding titles tagged “Death of a parent” or “Mild peril”"
    )
    assert "_" not in words
