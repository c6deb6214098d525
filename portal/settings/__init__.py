"""Settings package: ``base`` reads the environment, ``production`` hardens it, ``test`` is for pytest."""
