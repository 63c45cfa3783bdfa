"""Durable jobs on the same PostgreSQL (procrastinate): registry.py names them, builds the app and
defers them; tasks.py holds their bodies, which the worker (`axolotly worker`) runs."""
