"""Scenarios: synthetic weeks, the Jining scenario and border-junction detection."""
