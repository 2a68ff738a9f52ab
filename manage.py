#!/usr/bin/env python
"""Django's command-line utility for MLSD Studio.

`validate_design` and `export_design` need no Django: they run `components.cli` before
settings are loaded, so they work with no environment variables set and start fast.
"""

import os
import sys

DOMAIN_COMMANDS = {"validate_design": "validate", "export_design": "export"}

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in DOMAIN_COMMANDS:
        from components.cli import main

        prog = f"{os.path.basename(sys.argv[0])} {sys.argv[1]}"
        sys.exit(main([DOMAIN_COMMANDS[sys.argv[1]], *sys.argv[2:]], prog=prog))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
