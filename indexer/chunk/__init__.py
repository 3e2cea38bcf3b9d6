"""Splitting a parsed source into passages (chunks) by agenda item."""
