"""Patrol: the officer's phone, red box 4.0 check-ins, patrol plans on risk spots, tracks
and visible presence, checkpoints (docs/patrol.md).

Sits above ``citizen`` (a home-watch visit is logged here and told to its owner there) and
``ops`` (units, incidents); nothing below imports it. The engine reaches it only through
the batch observer the runtime registers (``patrol.live``).
"""
