"""Settings package: ``base`` reads the environment, ``production`` hardens it, ``test`` is for pytest.

``use_settings`` is the one entry point that manage.py, the Celery app and WSGI share: the
environment's DJANGO_SETTINGS_MODULE when set (production sets ``portal.settings.production``
for every process, see docs/deploy.md), the development settings otherwise.
"""

import os

DEFAULT = "portal.settings.base"


def use_settings() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT)
