"""Signals that let one domain react to another without importing it.

Guests and complaints are bases that loyalty, care and reports build on; the bases send
these, the others connect receivers in their AppConfig.ready(). Every signal is sent inside
the sender's transaction, so a receiver's writes commit or roll back with the change itself.
"""

from django.dispatch import Signal

# A stay was created or changed (status, dates, revenue). kwargs: stay, previous_status
# (None when new), actor (user or None), source ("ui", "api", "import", "job").
stay_changed = Signal()

# Many stays were created or changed at once (a PMS batch), sent instead of stay_changed for
# them: a receiver of stay_changed must receive this too. kwargs: changes (a list of
# (stay, previous_status) with each stay in its final state and previous_status its status
# before the batch, None when new), actor, source.
stays_changed = Signal()

# A complaint's suggestion was adopted as an improvement. kwargs: complaint, actor.
suggestion_adopted = Signal()

# A guest rated a stay 1-2 out of 5 in the post-stay survey (care); complaints logs it as a
# complaint on its SLA clock. kwargs: hotel, guest, description, actor_label.
survey_dissatisfied = Signal()

# A guest profile was merged into another. kwargs: survivor, merged, actor.
guest_merged = Signal()
