"""Inputs: the config, the input tables and their validation, demand, travel times."""
