"""The solver: engines (HiGHS, CP-SAT), the staged solve, the explanation, the result tables and the model export."""
