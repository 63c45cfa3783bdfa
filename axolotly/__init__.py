"""Axolotly: a parental-control backend for kids' streaming."""
