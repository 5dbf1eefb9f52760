"""Moving pictures: ffmpeg, started and watched by SafetyZone, reading cameras' RTSP streams
(or the demo's generated ones) for the live view, the health prober and recordings.

Why ffmpeg as a separate process, not a Python decoder: it is the media software every
video system runs, from Debian's packages; it copies H.264 from RTSP into HLS or MP4 without
decoding (``-c copy``), and a crash or a hung camera takes down one process, not the server.
"""
