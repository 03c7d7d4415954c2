"""``python -m meldpunt`` is the ``meldpunt`` command."""

from meldpunt.cli import main

main()
