"""Tiered response (联处): who answers an incident, and how near each hotspot's help is.

``respond`` / :class:`Responder` answer one incident from a run folder (:mod:`.respond`);
``response_table`` measures every demanded hotspot-slot of a roster (the run folder's
``response.csv``, :mod:`.table`). Team positions come from the run folder's tables
(:mod:`.positions`), road minutes from the same road network the roster used.
"""

from patrolplan.response.positions import OnDuty, on_duty, point_minutes
from patrolplan.response.respond import Answer, Responder, respond

__all__ = ["Answer", "OnDuty", "Responder", "on_duty", "point_minutes", "respond"]
