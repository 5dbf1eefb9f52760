"""The event bus: a small typed protocol with an in-process backend (NATS JetStream later).

Subjects are ``ssz.<station-id>.<event-kind>``; patterns use NATS wildcards (``*`` one
token, ``>`` the rest), so the JetStream backend can map them one to one.
"""
