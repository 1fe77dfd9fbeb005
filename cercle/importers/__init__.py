"""Importers: bring a community's history into Cercle (Stack Exchange dumps first)."""
