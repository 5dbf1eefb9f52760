"""``python -m safetyzone`` runs the ``ssz`` command."""

from safetyzone.cli import app

app()
