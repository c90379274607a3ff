"""``python -m sim.cli``: the ``peninsula`` command."""

import sys

from sim.cli.main import main

sys.exit(main())
