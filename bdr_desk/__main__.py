import sys

from bdr_desk.cli import main

sys.exit(main())
