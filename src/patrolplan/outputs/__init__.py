"""Outputs: the run folder (atomic, never replacing what patrolplan did not write), the report, the workbook, the GeoPackage and the pictures."""
