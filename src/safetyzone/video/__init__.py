"""Video: camera snapshots proxied by the app, camera health (online, offline, frozen), and
who looked at which camera. The browser never sees a camera's address or credentials."""
