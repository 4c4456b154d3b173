import sys

from hzdesk.cli import main

sys.exit(main())
