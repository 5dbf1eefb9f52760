"""Shared kernel: database, errors, clock, geometry, security values. Imports no domain."""
