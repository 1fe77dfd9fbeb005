"""Cercle: cultivate communities of practice."""

__version__ = "0.1.0"
