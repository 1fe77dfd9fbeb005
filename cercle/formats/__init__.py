"""Cercle's date formats per language (FORMAT_MODULE_PATH), where Django's own would
mislead: Django's English writes 12/07/2026, which a reader of a Paris community takes
for the 12th of July. Languages not listed here keep Django's formats."""
