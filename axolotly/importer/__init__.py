"""`axolotly import-original`: a running installation of the older backend, brought over.

source.py reads the older database (read-only, one snapshot, set-based per batch of families);
mapping.py turns its rows into Axolotly's shapes (pure); catalog.py brings titles and episodes;
families.py writes a batch of families; check.py compares each family's launchers with what the
older backend's rules allowed; report.py counts; run.py drives it (docs/switching.md).
"""
