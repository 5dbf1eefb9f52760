"""Evidence clips: footage of an incident's cameras from T-x to T+y cut from the recorded
segments, a visible watermark burned in, stored with the SHA-256 of the exact file, and a
chain-of-custody log the database refuses to change; an export package (clips, manifest,
SHA256SUMS, an Ed25519 signature) that anyone can verify offline (``ssz evidence verify``).
"""
