"""Exports and headless renderers (account plans, org-chart PNG/SVG)."""
