"""The CCOC: rules turning events into incidents, linked cameras, units, dispatch, escalation,
the response-time clock, and the live feed that consoles follow."""
