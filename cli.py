"""Thin entry: ``python cli.py`` runs the cocoon command line."""

from cocoon.cli import main

if __name__ == "__main__":
    main()
