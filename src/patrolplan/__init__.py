"""patrolplan: weekly joint-patrol rosters for police stations at jurisdiction borders."""

from patrolplan.errors import DataError, PatrolPlanError, UsageError

__version__ = "0.1.0"

__all__ = ["DataError", "PatrolPlanError", "UsageError", "__version__"]
