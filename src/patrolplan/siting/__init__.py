"""Checkpoint siting (联合查缉): where to put joint checkpoints on the border roads.

Layers (as in spopt): :mod:`~patrolplan.siting.core` (a plain cost matrix and weights),
:mod:`~patrolplan.siting.models` (LSCP, MCLP, LSCP-B, p-median, p-center as HiGHS MIPs),
:mod:`~patrolplan.siting.tables` (the long COSTS/CLIENTS CSVs), :mod:`~patrolplan.siting.network`
(the matrix from a config: hotspots as clients, candidate points, road minutes), and
:mod:`~patrolplan.siting.output` (the run folder, the map, the tables to append to a week).
"""

from patrolplan.siting.core import Figures, SitingProblem, SitingResult, evaluate
from patrolplan.siting.models import LSCP, LSCPB, MCLP, MODELS, PCenter, PMedian, make_model

__all__ = ["SitingProblem", "SitingResult", "Figures", "evaluate", "LSCP", "MCLP", "LSCPB", "PMedian", "PCenter",
           "MODELS", "make_model"]
