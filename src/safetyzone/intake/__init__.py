"""Event intake: device credentials and the durable, idempotent inbox.

Nothing is acknowledged before it is committed: a device's ACK leaves only after its
event's row is in the inbox, and a retry with the same (device, device event id) gets the
first answer back without a second row.
"""
