"""`python -m bot` runs the il2bot command line."""

from bot.cli import run

run()
