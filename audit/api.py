"""What the apps above ``audit`` may call: record an entry in the transaction of a change, and
read the entries about a subject. Besides this module they may import ``audit.models``; nothing
else of this app. See docs/decisions/0029."""

from .selectors import entries_about, latest_about
from .services import Action, Actor, api_key_scope, audit_record

__all__ = ["Action", "Actor", "api_key_scope", "audit_record", "entries_about", "latest_about"]
