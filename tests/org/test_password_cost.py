"""The password hash a deployment writes is argon2id at full cost.

The suite swaps in argon2's test profile in its own process (``tests/conftest.py``), so the
shipped default is checked where nothing swapped it: in a fresh interpreter, as a server
would hash.
"""

from __future__ import annotations

import subprocess
import sys

from argon2 import extract_parameters
from argon2 import profiles as argon2_profiles


def test_a_server_hashes_passwords_at_full_cost() -> None:
    hashed = subprocess.run(
        [sys.executable, "-c",
         "from safetyzone.org import auth; print(auth.hash_password('correct horse'))"],
        check=True, capture_output=True, text=True).stdout.strip()
    used = extract_parameters(hashed)
    standard = argon2_profiles.RFC_9106_LOW_MEMORY
    assert hashed.startswith("$argon2id$")
    assert used.memory_cost >= standard.memory_cost and used.time_cost >= standard.time_cost
    assert used != argon2_profiles.CHEAPEST
