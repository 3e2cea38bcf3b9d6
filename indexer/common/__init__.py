"""Shared by every stage: the data model, the JSON contract, dates, errors, settings and text utilities."""
