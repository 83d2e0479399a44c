"""Entry point for ``python -m envaudit``."""

from envaudit.cli import run

if __name__ == "__main__":
    run()
