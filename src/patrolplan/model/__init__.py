"""The model: the frozen Problem and its candidate shifts, the rule families, the aggregated model, the greedy planner and the named-team step."""
