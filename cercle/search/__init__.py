"""Permission-aware full-text search over what the other apps feed it.

`index.py` writes the index (called from the feeding apps' actions, inside their
transaction); `query.py` reads it, never returning what the reader may not see.
docs/search.md describes both databases' machinery.
"""
