"""The operator console: server-rendered pages, small ES modules, Leaflet and the Sarabun
font from npm (``node_modules``, installed by ``npm ci``), never from a CDN."""
