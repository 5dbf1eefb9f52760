"""Gateways: each protocol adapter wired to the durable intake.

An adapter (``safetyzone.adapters``) only translates; a gateway finds the registered device
behind a protocol id, hands the events to the inbox writer, and answers the device only
after the commit.
"""
