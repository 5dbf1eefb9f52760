"""The parts of benchmarks/intake.py, split by concept; run that script, not these."""
