"""The People Poll: residents' fear of crime, confidence in police and needs, per zone and
wave, answered anonymously through the citizen app (link, QR) and LINE.

``items`` is the versioned standard item bank; ``models`` the tables (the answers and the
ballots kept apart, see ``docs/measure/poll.md``); ``service`` the staff's polls;
``answers`` the public side (one response per person per wave); ``results`` the figures
with their intervals.
"""
