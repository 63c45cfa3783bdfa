"""What an import did: counts per kind and one line per family (its launcher check)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass
class KindCounts:
    read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def line(self, kind: str) -> str:
        skipped = sum(self.skipped.values())
        reasons = "; ".join(f"{reason}: {n}" for reason, n in sorted(self.skipped.items()) if n)
        return (
            f"{kind}: read {self.read}, imported {self.imported}, updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {skipped}" + (f" ({reasons})" if reasons else "")
        )


@dataclass
class ImportReport:
    dry_run: bool = False
    kinds: defaultdict[str, KindCounts] = field(default_factory=lambda: defaultdict(KindCounts))
    # family (older id) -> "same titles" or the differences; skipped families -> the reason.
    families: dict[int, str] = field(default_factory=dict)
    skipped_families: dict[int, str] = field(default_factory=dict)
    # family (older id) -> what of it did not come over although the family did.
    notes: defaultdict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    time_zone: str = "UTC"
    zoned: int = 0  # families this run created, in `time_zone`

    def skip_family(self, old_id: int, reason: str) -> None:
        self.skipped_families[old_id] = reason
        self.kinds["families"].skipped[reason.split(":")[0]] += 1

    def merge(self, attempt: "ImportReport") -> None:
        """Counts of an attempt that was kept (a batch, or one family on its own)."""
        for kind, counts in attempt.kinds.items():
            mine = self.kinds[kind]
            mine.read += counts.read
            mine.imported += counts.imported
            mine.updated += counts.updated
            mine.unchanged += counts.unchanged
            mine.skipped.update(counts.skipped)
        self.families.update(attempt.families)
        for old_id, notes in attempt.notes.items():
            self.notes[old_id] += notes
        self.zoned += attempt.zoned
        for old_id, reason in attempt.skipped_families.items():
            self.skip_family(old_id, reason)

    @property
    def mismatched(self) -> int:
        return sum(1 for line in self.families.values() if not line.startswith("same titles"))

    def lines(self) -> list[str]:
        head = "DRY RUN: nothing was written. " if self.dry_run else ""
        lines = [f"{head}Import from the older backend"]
        lines += [counts.line(kind) for kind, counts in self.kinds.items()]
        lines += [f"family {old_id}: skipped, {reason}" for old_id, reason in sorted(self.skipped_families.items())]
        lines += [f"family {old_id}: {check}" for old_id, check in sorted(self.families.items())]
        lines += [f"family {old_id}: {note}" for old_id, notes in sorted(self.notes.items()) for note in notes]
        default = " (the default: pass --time-zone for the families' own zone)" if self.time_zone == "UTC" else ""
        lines.append(f"time zone: {self.zoned} new families set to {self.time_zone}{default}")
        lines.append(
            f"launcher check: {len(self.families) - self.mismatched} of {len(self.families)} families "
            "see the same titles as before"
        )
        return lines
