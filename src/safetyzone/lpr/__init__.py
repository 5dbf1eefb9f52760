"""Plate readers' domain: hotlists, hits, governed search of plate reads, their retention."""
