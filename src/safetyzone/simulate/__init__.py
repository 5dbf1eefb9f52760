"""The device simulator: patrol cars, SOS buttons, bank alarms and plate cameras that talk
to a running server through the same public HTTP intake as real devices.

A client of the server, not a part of it: it imports only the kernel (``safetyzone.core``)
and third-party libraries, never a domain package.
"""
