import sys

from cams_data.cli import main

sys.exit(main())
