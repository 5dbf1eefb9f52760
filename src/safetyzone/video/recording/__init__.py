"""Recording: a policy per camera (none, on alarm with pre- and post-roll, a continuous ring
of N hours), ffmpeg's segment muxer copying each recording camera's stream into short MP4
files, an index of those files with their SHA-256, and the deletions that keep a station
inside its storage quota and the PDPA retention period (docs/video-recording.md).
"""
