"""The append-only audit trail: who read or changed what, and why."""
