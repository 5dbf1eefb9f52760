"""The monthly report: a station's for its Big 6 meeting, a region's and HQ's over their
stations; PDF (Thai with Buddhist Era dates, or English) and CSV, on demand and archived
each month by a sweep. See docs/measure/reports.md."""
