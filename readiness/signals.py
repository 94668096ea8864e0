"""Signals other apps listen to, so that readiness never imports them by name."""

from django.dispatch import Signal

# Sent by readiness.demo.demo_seed inside its transaction, after regions, TPS, users, contests
# and reports exist: receivers add their own demo rows (logistics lines, incidents, …).
# Arguments: today (date), province_code (str). Receivers must be idempotent.
demo_seeded = Signal()
