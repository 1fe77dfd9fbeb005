#!/usr/bin/env python
"""Same as the `cercle` console script, for those used to manage.py."""

from cercle.__main__ import main

if __name__ == "__main__":
    main()
