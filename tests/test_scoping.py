"""Family scoping cannot be forgotten: a query narrowed to a family by hand, anywhere but the
scoping module (families/scoping.py) and the launcher's own statement, fails the suite.

What counts as narrowing by hand, read from the source (AST) of every module of axolotly/:
- `Model.family_id == x` / `!= x` / `.in_(...)` on a family-owned model (one with a `family_id`
  column), unless x is another model's column (a join relates two tables' rows of the same family;
  it filters by nobody's family id);
- `filter_by(family_id=...)`, and any other `family_id=` keyword except the two shapes below that
  write a row rather than choose rows;
- SQL text comparing `family_id` with a bind parameter (`family_id = :family_id`, `%(family_id)s`).
"""

import ast
import re
from pathlib import Path

from axolotly.models.base import Base

PACKAGE = Path(__file__).resolve().parent.parent / "axolotly"

# Modules allowed to state a family filter themselves, and why.
EXEMPT = {
    "families/scoping.py": "the rule itself: owned_by, of_family, of_another_family",
    "launcher/query.py": (
        "the launcher's single SQL statement (the hot path) states its family filter once, documented there"
    ),
}
EXEMPT_FOLDERS = {
    "migrations": "revisions change every family's rows at once; there is no caller's family to scope to",
    "importer": "an operator's command bringing many families over from the older backend at once, no caller",
}
# `family_id=` keywords that are not queries: they say which family a new row belongs to.
ALLOWED_KEYWORD_CALLS = {
    "constructor": "Model(family_id=...) or a record/schema: builds a row or a value, reads nothing",
    "values": "insert(...).values(family_id=...) / update(...).values(...): what is written, not which rows",
}
COMPARISONS = (ast.Eq, ast.NotEq)
MEMBERSHIP_METHODS = {"in_", "not_in", "notin_", "is_distinct_from", "isnot_distinct_from", "is_not_distinct_from"}
PARAMETER = r"(?::\w+|%\(\w+\)s|\$\d+)"
SQL_FAMILY_FILTER = re.compile(
    rf"\bfamily_id\s*(?:=|<>|!=)\s*{PARAMETER}|{PARAMETER}\s*(?:=|<>|!=)\s*(?:\w+\.)?family_id\b"
    # a set of families by hand: = ANY(:ids), IN (...), NOT IN (...)
    rf"|\bfamily_id\s*(?:=|<>|!=)\s*(?:ANY|ALL)\s*\(|\bfamily_id\s+(?:NOT\s+)?IN\s*\(",
    re.IGNORECASE,
)


def model_names() -> tuple[set[str], set[str]]:
    """(every mapped class, the family-owned ones)."""
    import axolotly.models  # noqa: F401  (registers every model)

    mappers = list(Base.registry.mappers)
    return ({m.class_.__name__ for m in mappers}, {m.class_.__name__ for m in mappers if "family_id" in m.columns})


MODELS, FAMILY_OWNED = model_names()


def _class_name(node: ast.expr) -> str | None:
    """`Device` for `Device` or `models.Device`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_family_column(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "family_id" and _class_name(node.value) in FAMILY_OWNED


def _is_model_column(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and _class_name(node.value) in MODELS


def _allowed_keyword_call(call: ast.Call) -> bool:
    callee = call.func
    if isinstance(callee, ast.Attribute) and callee.attr == "values":
        return True  # ALLOWED_KEYWORD_CALLS["values"]
    name = _class_name(callee)
    return name is not None and name[:1].isupper()  # ALLOWED_KEYWORD_CALLS["constructor"]


def hand_filters(source: str) -> list[tuple[int, str]]:
    """(line, what) for every family filter written by hand in this module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for left, op, right in zip(sides[:-1], node.ops, sides[1:], strict=True):
                if not isinstance(op, COMPARISONS):
                    continue
                for column, other in ((left, right), (right, left)):
                    if _is_family_column(column) and not _is_model_column(other):
                        found.append((node.lineno, f"{ast.unparse(node)}: use families.scoping.owned_by"))
        elif isinstance(node, ast.Call):
            callee = node.func
            if (
                isinstance(callee, ast.Attribute)
                and callee.attr in MEMBERSHIP_METHODS
                and _is_family_column(callee.value)
            ):
                found.append((node.lineno, f"{ast.unparse(node)}: use families.scoping"))
            if any(k.arg == "family_id" for k in node.keywords) and not _allowed_keyword_call(node):
                found.append((node.lineno, f"{ast.unparse(node.func)}(family_id=...): use families.scoping.owned_by"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for match in SQL_FAMILY_FILTER.finditer(node.value):
                found.append((node.lineno, f"SQL text {match.group(0)!r}: scope the statement with families.scoping"))
    return found


def test_no_module_filters_a_family_by_hand():
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in EXEMPT or relative.split("/")[0] in EXEMPT_FOLDERS:
            continue
        offences += [f"axolotly/{relative}:{line}: {what}" for line, what in hand_filters(path.read_text())]
    assert not offences, "family filters written by hand:\n" + "\n".join(offences)


def test_the_exempt_modules_exist_and_the_launcher_statement_states_its_filter():
    for relative in EXEMPT:
        assert (PACKAGE / relative).is_file(), relative
    assert hand_filters((PACKAGE / "launcher/query.py").read_text()), "the launcher statement filters by family"


def test_hand_filters_are_found_in_every_shape():
    hand_written = {
        "select(Device).where(Device.family_id == family_id)": 1,
        "delete(KidProfile).where(family.id != models.KidProfile.family_id)": 1,
        "select(PairingCode).where(PairingCode.family_id.in_(ids))": 1,
        "select(Device).filter_by(family_id=family_id)": 1,
        "text('SELECT 1 FROM devices WHERE family_id = :family_id')": 1,
        "'SELECT 1 FROM kid_profiles k WHERE k.family_id <> %(family_id)s'": 1,
        "'SELECT 1 FROM devices d WHERE $1 = d.family_id'": 1,
        "'SELECT 1 FROM devices WHERE family_id = ANY(:ids)'": 1,
        "'DELETE FROM devices WHERE family_id IN (SELECT 1)'": 1,
    }
    for source, count in hand_written.items():
        assert len(hand_filters(source)) == count, source


def test_rows_being_written_and_joins_are_not_filters():
    not_filters = [
        "KidProfile(family_id=family_id, name=name)",
        "insert(PinLockout).values(family_id=kid.family_id)",
        "select(User).join(FamilyInvitation, FamilyInvitation.family_id == User.id)",
        "invitation.family_id == user.id",  # two loaded rows compared in Python
        "select(PairingRequest).where(PairingRequest.family_id.is_(None))",
        "'JOIN link_reports r ON r.family_id = k.family_id'",
        "owned_by(select(Device), Device, family_id)",
    ]
    for source in not_filters:
        assert hand_filters(source) == [], source


def test_family_owned_models_are_those_with_a_family_column():
    assert {"Device", "KidProfile", "PairingCode", "FamilyTitle", "TitleRequest"} <= FAMILY_OWNED
    assert "Title" not in FAMILY_OWNED and "Title" in MODELS
