"""The portal's own Prometheus metrics, beside django-prometheus's requests and responses.

Defined here, below every app, so that the one place where each event happens counts it: the
render in ``certificates.services.supplement_render``, the e-mail in
``notifications.services.notification_send``, the check in ``certificates.verification``. The
queues' lengths are read from the broker when Prometheus asks (``monitoring.metrics``).

Several processes (gunicorn's workers, Celery's pool) count apart; with PROMETHEUS_MULTIPROC_DIR
set, prometheus_client adds them up (docs/deploy.md).
"""

from prometheus_client import Counter, Histogram

RENDERS = Counter(
    "portal_renders",
    "Documents of a proof or statement rendered by the worker, by outcome (ready, failed)",
    ["outcome"],
)
RENDER_SECONDS = Histogram(
    "portal_render_seconds",
    "Seconds to render one version's documents (a proof and its supplement, or a statement), sealed",
    buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300),
)
EMAILS = Counter("portal_emails", "E-mails handed to the mail server, by outcome (sent, failed)", ["outcome"])
VERIFICATIONS = Counter(
    "portal_verifications",
    "Documents checked by the public verifier, by what was checked (pdf, credential, badge, unreadable, page, api) "
    "and verdict (valid, revoked, invalid, refused, unknown)",
    ["kind", "verdict"],
)
