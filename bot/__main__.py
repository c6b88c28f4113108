"""`python -m bot` runs the il2bot command line."""

import sys

from bot.cli import main

sys.exit(main())
