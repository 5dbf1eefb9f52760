"""Measurement: the figures the program is judged by.

Station and zone facts (area, population and the other counts the seeds give, each with its
status), 191-call and crime-case records imported from files, and one stream of records that
puts them beside the CCOC's own incidents, and the hotspot statistics (PySAL) on them;
zone selection on them (candidate areas scored on Risk, Landmark and Economic, the Big 6
decisions, a chosen zone before and after its launch); the KPIs of a station or a zone over
a period beside their targets (``kpis``), and the program view and the WISPI-style
scorecard over many stations (``program``, ``scorecard``).
This package reads ops, citizen, patrol, services and video data; nothing below imports it.
"""
