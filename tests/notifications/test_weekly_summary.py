"""The weekly summary's content: per kid the minutes of each day (an HTML bar chart of tables and
inline styles, and the same in plain text), the most watched titles, the requests answered that
week, the one-click unsubscribe link and headers; in English and in German.

The week is Monday 30 Nov – Sunday 6 Dec 2026 in Berlin; rows just outside it (the Sunday before,
the Monday after, an answer at 23:30 Berlin time on the Sunday before) must not count.
"""

import re
from datetime import date, datetime, time, timedelta

import pytest

from axolotly import mail
from axolotly.config import get_settings
from axolotly.i18n import translations, use_language
from axolotly.models import Notification, TimeRequest, TitleRequest, UsageDay
from axolotly.notifications import weekly
from axolotly.notifications.weekly import summary_mail
from axolotly.security import tokens
from tests.support.factories import make_family, make_kid, make_title
from tests.support.weekly_family import local, weekly_family

ZONE = "Europe/Berlin"
MONDAY, SUNDAY = date(2026, 11, 30), date(2026, 12, 6)
PUBLIC = "https://axolotly.example"


def day(n: int) -> date:
    """day(1): Monday 30 Nov ... day(7): Sunday 6 Dec."""
    return MONDAY + timedelta(days=n - 1)


@pytest.fixture
def public_url(monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", PUBLIC)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def week(db, public_url):
    """Two kids' week, its answers, and rows around it that must not count."""
    family = weekly_family(db, ZONE)
    emma, leo = family.kids
    anna, ben = family.owner, family.co_parent
    titles = {name: make_title(db, title=name) for name in ("Bluey", "Frozen", "Jaws", "Moana", "Cars", "Up", "Coco")}

    def watched(kid, on: date, name: str, seconds: int, app_id: str | None = None):
        title = titles.get(name)
        db.add(
            UsageDay(
                kid_profile_id=kid.id,
                day=on,
                app_id=app_id or str(title.id),
                title_id=title.id if title else None,
                app_name=name,
                seconds=seconds,
                sessions=1,
            )
        )

    watched(emma, day(1), "Bluey", 45 * 60)
    watched(emma, day(2), "Bluey", 30 * 60)
    watched(emma, day(2), "Frozen", 60 * 60)
    watched(emma, day(4), "Netflix", 20 * 60 + 30, app_id="com.netflix.mediaclient")  # an app, not a title
    watched(emma, day(5), "Frozen", 15 * 60)
    watched(emma, day(6), "Bluey", 95 * 60)
    for name, minutes in (("Moana", 12), ("Cars", 11), ("Up", 9), ("Coco", 8)):
        watched(emma, day(7), name, minutes * 60)
    watched(leo, day(3), "Jaws", 180 * 60)
    watched(emma, date(2026, 11, 29), "Bluey", 500 * 60)  # the Sunday before
    watched(leo, date(2026, 12, 7), "Frozen", 500 * 60)  # the Monday after

    def answered(kid, name: str, status: str, at: datetime, by):
        db.add(
            TitleRequest(
                family_id=anna.id,
                kid_profile_id=kid.id,
                title_id=titles[name].id,
                status=status,
                answered_at=at,
                answered_by=by.id if by else None,
            )
        )

    answered(emma, "Jaws", "declined", local(day(1), time(0, 30), ZONE), ben)  # Monday 00:30 in Berlin
    answered(emma, "Frozen", "approved", local(day(2), time(18), ZONE), anna)
    answered(emma, "Bluey", "declined", local(day(6), time(10), ZONE), None)  # the parent's account is gone
    answered(leo, "Jaws", "approved", local(day(7), time(23, 59), ZONE), anna)
    answered(leo, "Bluey", "approved", local(date(2026, 11, 29), time(23, 30), ZONE), anna)  # the week before
    db.add(TitleRequest(family_id=anna.id, kid_profile_id=leo.id, title_id=titles["Frozen"].id))  # still open

    def time_asked(kid, on: date, status: str, at: datetime, by, minutes=None):
        db.add(
            TimeRequest(
                family_id=anna.id,
                kid_profile_id=kid.id,
                day=on,
                status=status,
                minutes=minutes,
                answered_at=at,
                answered_by=by.id if by else None,
            )
        )

    time_asked(leo, day(3), "granted", local(day(3), time(17), ZONE), ben, minutes=30)
    time_asked(emma, day(5), "declined", local(day(5), time(19), ZONE), anna)
    time_asked(emma, day(4), "declined", local(day(5), time(8), ZONE), None)  # closed by the next day's ask

    other = make_family(db)  # another family's week is not this one's
    other_kid = make_kid(db, other, "Emma")
    db.add(
        TitleRequest(
            family_id=other.id,
            kid_profile_id=other_kid.id,
            title_id=titles["Coco"].id,
            status="approved",
            answered_at=local(day(3), time(12), ZONE),
            answered_by=other.id,
        )
    )
    watched(other_kid, day(3), "Coco", 600 * 60)
    db.flush()
    return family


def notice(db, family, recipient) -> Notification:
    row = Notification(
        family_id=family.owner.id,
        recipient_id=recipient.id,
        event="weekly_summary",
        facts={"week_start": MONDAY.isoformat(), "week_end": SUNDAY.isoformat()},
        dedupe_key=SUNDAY.isoformat(),
    )
    db.add(row)
    db.flush()
    return row


def bar_widths(html: str) -> list[int]:
    return [int(width) for width in re.findall(r'style="width:(\d+)%;"', html)]


def section(text: str, start: str, end: str | None) -> str:
    body = text[text.index(start) :]
    return body[: body.index(end)] if end else body


def test_the_summary_sums_up_each_kids_week_in_english(db, week):
    message = summary_mail(db, notice(db, week, week.owner), week.owner)

    assert message.to == week.owner.email
    assert message.subject == "Your family's week on Axolotly: 30 Nov – 6 Dec"
    text = message.body
    emma, leo = section(text, "Emma\n====", "Leo\n==="), section(text, "Leo\n===", "-- \n")
    # Emma: 45 + 90 + 0 + 20 + 15 + 95 + 40 minutes (18,330 seconds: 305 whole minutes).
    assert "Emma watched 5 h 5 min this week." in emma
    bars = {"Mon 30 Nov": ("45 min", 5), "Tue 01 Dec": ("1 h 30 min", 10), "Wed 02 Dec": ("0 min", 0)}
    bars |= {"Thu 03 Dec": ("20 min", 2), "Fri 04 Dec": ("15 min", 2), "Sat 05 Dec": ("1 h 35 min", 11)}
    bars |= {"Sun 06 Dec": ("40 min", 4)}
    for label, (duration, blocks) in bars.items():  # durations right-aligned to the longest
        assert f"{label}  {duration.rjust(10)}  {'█' * blocks}".rstrip() + "\n" in emma
    assert "Most watched:\n1. Bluey: 2 h 50 min\n2. Frozen: 1 h 15 min\n3. Netflix: 20 min\n4. Moana: 12 min\n" in emma
    assert "5. Cars: 11 min\n\n" in emma and "Up" not in emma and "Coco" not in emma  # the top 5 only
    assert emma.index("Requests answered:") > emma.index("5. Cars")
    assert (
        "- Emma asked to watch “Jaws”: declined by Ben on Mon 30 Nov\n"
        "- Emma asked to watch “Frozen”: allowed by Anna on Tue 01 Dec\n"
        "- Emma asked for more time: declined by Anna on Fri 04 Dec\n"
        "- Emma asked to watch “Bluey”: declined by a parent on Sat 05 Dec\n\n"
    ) in emma
    # Leo: three hours on Wednesday (the family's longest day: a full bar), nothing before or after.
    assert "Leo watched 3 h this week." in leo
    assert f"Wed 02 Dec    3 h  {'█' * 20}\n" in leo and "Mon 30 Nov  0 min\n" in leo
    assert "Most watched:\n1. Jaws: 3 h\n\n" in leo
    assert (
        "- Leo asked for more time: granted by Ben on Wed 02 Dec (30 min more)\n"
        "- Leo asked to watch “Jaws”: allowed by Anna on Sun 06 Dec\n\n"
    ) in leo
    assert "Bluey" not in leo and "Frozen" not in leo  # last week's answer, an open request, next Monday

    link = re.search(r"Unsubscribe from the weekly summary: (\S+)", text)[1]
    assert link.startswith(f"{PUBLIC}/unsubscribe?token=")
    assert tokens.unsubscribe_claims(link.partition("token=")[2]) == (week.owner.id, "weekly_summary")
    assert f"Notification settings: {PUBLIC}/account/notifications\n" in text
    assert dict(message.headers) == {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_the_html_chart_is_tables_with_widths_and_inline_styles_only(db, week):
    html = summary_mail(db, notice(db, week, week.owner), week.owner).html

    for banned in ("<img", "<script", "<style", "class=", "<svg", "<link", "url("):
        assert banned not in html
    emma, leo = section(html, ">Emma</h2>", ">Leo</h2>"), section(html, ">Leo</h2>", None)
    # Each day's bar is a share of the family's longest day (Leo's 180 minutes); a day without
    # minutes has no bar at all (Emma's Wednesday, Leo's six other days).
    assert bar_widths(emma) == [25, 50, 11, 8, 53, 22]
    assert bar_widths(leo) == [100]
    assert emma.count('bgcolor="#2f6fdf"') == 6
    for label, duration in (("Sat 05 Dec", "1 h 35 min"), ("Wed 02 Dec", "0 min")):
        assert re.search(rf">{label}</td>.*?>{duration}</td>", emma, re.S)
    assert '<li style="margin:0 0 4px 0;">Emma asked to watch “Frozen”: allowed by Anna on Tue 01 Dec</li>' in emma
    assert ">1. Bluey</td>" in emma and ">2 h 50 min</td>" in emma
    assert 'href="https://axolotly.example/unsubscribe?token=' in html
    assert 'href="https://axolotly.example/account/notifications"' in html


def test_names_are_escaped_in_the_html(db, week):
    week.kids[0].name = "<b>Emma</b>"
    db.flush()
    html = summary_mail(db, notice(db, week, week.owner), week.owner).html
    assert "<b>Emma</b>" not in html and "&lt;b&gt;Emma&lt;/b&gt;" in html


def test_the_summary_speaks_the_recipients_language(db, week):
    """Ben reads German; Anna (no choice of her own, a US family) gets English. Babel's German
    dates and durations are there now; the sentences are whatever the German catalog says."""
    week.co_parent.language = "de"
    db.flush()
    german = summary_mail(db, notice(db, week, week.co_parent), week.co_parent)
    english = summary_mail(db, notice(db, week, week.owner), week.owner)
    de = translations("de").gettext

    assert german.subject == de("Your family's week on Axolotly: %(week)s") % {"week": "30. Nov. – 6. Dez."}
    assert german.to == week.co_parent.email
    text = german.body
    assert de("%(name)s watched %(duration)s this week.") % {"name": "Emma", "duration": "5 Std. 5 Min."} in text
    assert re.search(r"\nSa\., 5\. Dez\. +1 Std\. 35 Min\.  █{11}\n", text)
    assert "1. Bluey: 2 Std. 50 Min.\n" in text
    sentence = de("%(kid)s asked for more time: granted by %(parent)s on %(day)s (%(duration)s more)")
    assert sentence % {"kid": "Leo", "parent": "Ben", "duration": "30 Min.", "day": "Mi., 2. Dez."} in text
    assert (
        de("%(kid)s asked to watch “%(title)s”: declined by %(parent)s on %(day)s")
        % {
            "kid": "Emma",
            "title": "Bluey",
            "parent": de("a parent"),
            "day": "Sa., 5. Dez.",
        }
        in text
    )
    assert '<html lang="de">' in german.html and ">Mo., 30. Nov.</td>" in german.html
    assert english.subject == "Your family's week on Axolotly: 30 Nov – 6 Dec" and '<html lang="en">' in english.html


def test_the_mail_reaches_a_real_smtp_server_with_both_parts_and_the_unsubscribe_headers(db, week, inbox):
    message = summary_mail(db, notice(db, week, week.owner), week.owner)
    mail.send(message)
    received = inbox.messages[0]
    assert received["Subject"] == message.subject
    assert received["List-Unsubscribe"] == dict(message.headers)["List-Unsubscribe"]
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain, html = received.get_body(("plain",)), received.get_body(("html",))
    assert "Emma watched 5 h 5 min this week." in plain.get_content()
    assert 'style="width:53%;"' in html.get_content()


def test_a_week_without_watching_or_answers_says_so(db, public_url):
    family = weekly_family(db, ZONE, kids=("Mia",), co_parent=False)
    text = summary_mail(db, notice(db, family, family.owner), family.owner).body
    assert "Mia watched nothing this week." in text
    assert "Most watched" not in text and "Requests answered:\n- No requests answered this week.\n" in text
    assert text.count("0 min\n") == 7


def test_the_subject_names_the_week_across_a_new_year_and_in_each_language():
    with use_language("en"):
        assert weekly.week_words(date(2026, 12, 28), date(2027, 1, 3)) == "28 Dec – 3 Jan"
    with use_language("fr"):
        assert weekly.week_words(date(2026, 10, 19), date(2026, 10, 25)) == "19–25 oct."
    with use_language("es"):
        assert weekly.week_words(date(2026, 11, 30), date(2026, 12, 6)) == "30 nov – 6 dic"


def test_a_long_list_of_answers_is_cut_at_twenty(db, public_url):
    family = weekly_family(db, ZONE, kids=("Mia",), co_parent=False)
    title = make_title(db, title="Bluey")
    for minute in range(22):
        db.add(
            TitleRequest(
                family_id=family.owner.id,
                kid_profile_id=family.kids[0].id,
                title_id=title.id,
                status="declined",
                answered_at=local(day(3), time(10, minute), ZONE),
                answered_by=family.owner.id,
            )
        )
    db.flush()
    text = summary_mail(db, notice(db, family, family.owner), family.owner).body
    assert text.count("- Mia asked to watch “Bluey”: declined by Anna on Wed 02 Dec\n") == 20
    assert "- …and 2 more answers\n" in text


def test_a_parent_without_a_language_of_their_own_reads_the_familys(db, week):
    """As the outbox's other mails: the family's language (its owner's choice, else its country's)."""
    week.owner.country = "FR"
    db.flush()
    message = summary_mail(db, notice(db, week, week.co_parent), week.co_parent)
    fr = translations("fr").gettext
    assert message.subject == fr("Your family's week on Axolotly: %(week)s") % {"week": "30 nov. – 6 déc."}
    assert '<html lang="fr">' in message.html and ">lun. 30 nov.</td>" in message.html
