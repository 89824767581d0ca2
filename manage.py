#!/usr/bin/env python
"""Same as the ``yakuba`` command; kept for Django habits."""

from yakuba.cli import main

if __name__ == "__main__":
    main()
