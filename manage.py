#!/usr/bin/env python
import sys


def main() -> None:
    from django.core.management import execute_from_command_line

    from portal.settings import use_settings

    use_settings()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
