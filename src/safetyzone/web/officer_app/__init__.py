"""The officer's phone app at ``/officer``: an installable PWA for a patrol officer's shift
(unit, status, the assigned incident, SOS, red box check-ins, plan and checkpoints, home-watch
visits), and a volunteer's post desk (reports and consultations taken at a post). Thai
first; no framework; Leaflet, the Sarabun font and jsQR from npm, served by the app
(``web/console/assets.py`` mounts them), never from a CDN. Every action the officer takes
goes through one outbox on the phone, so a dead spot loses and doubles nothing."""
