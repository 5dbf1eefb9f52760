"""The public phone app at ``/citizen``: an installable PWA for emergencies, reports, tips,
the station's contacts and its services (lost documents, home watch, legal consultation).
No login; no framework; Leaflet and the Sarabun font from npm, served by the app
(``web/console/assets.py`` mounts them), never from a CDN."""
