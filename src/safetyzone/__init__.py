"""SafetyZone: the Smart Safety Zone 4.0 command-center platform."""

__version__ = "0.1.0"
