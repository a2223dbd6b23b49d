#!/usr/bin/env python
from vanort.cli import main

if __name__ == "__main__":
    main()
