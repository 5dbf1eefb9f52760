"""Measures of the program: records, hotspots and the figures built on them."""
