"""Run the ``pengaduan`` command with ``python -m pengaduan``."""

import sys

from pengaduan._cli import main

sys.exit(main())
