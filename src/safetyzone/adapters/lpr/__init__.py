"""Plate readers: Hikvision ISAPI, OpenALPR/Rekor, a generic JSON form; Thai plate rules."""
