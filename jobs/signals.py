"""The events of a background job that other apps act on (notifications tells the owner)."""

from django.dispatch import Signal

# Sent once a job is done or failed (not when its owner cancelled it), with ``job``.
job_finished = Signal()
