"""The phone's national-ID check (citizen_app/static/js/thaiid.js) says what the server's
(core/thaiid.py) says, for right IDs, every wrong check digit, category 0, and typed forms.
Runs the module in Node when it is installed (it is not a dependency of the project: the
browser journeys run the same module in Chromium)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess

from safetyzone.core.thaiid import check_digit, normalize_thai_id, thai_id_valid
from safetyzone.web.citizen_app import pages
from support.postgres import require_or_skip

MODULE = pages.APP.static / "js" / "thaiid.js"


def cases() -> list[str]:
    rng = random.Random(11)
    out: list[str] = []
    for _ in range(60):
        first12 = str(rng.randint(0, 8)) + "".join(rng.choice("0123456789") for _ in range(11))
        out += [first12 + str(d) for d in range(10)]  # one right digit, nine wrong
    right = "110370012345" + str(check_digit("110370012345"))
    r = right
    out += [f"{r[0]}-{r[1:5]}-{r[5:10]}-{r[10:12]}-{r[12]}", f" {r} ", r[:12], r + "0",
            r.replace("1", "١", 1), "abcdefghijklm", "", "1 1037 00123 45 " + r[12]]
    return out


def test_the_phone_and_the_server_agree_on_every_id() -> None:
    node = shutil.which("node")
    if node is None:
        require_or_skip("no Node.js here to run the phone's module outside the browser "
                        "(scripts/install-system-deps installs it)")
    ids = cases()
    script = (f"import {{ thaiIdValid }} from {json.dumps(MODULE.as_uri())};\n"
              f"console.log(JSON.stringify({json.dumps(ids)}.map(thaiIdValid)));")
    done = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True,
                          text=True, timeout=60, check=True)
    phone = json.loads(done.stdout)
    server = [thai_id_valid(normalize_thai_id(text)) for text in ids]
    assert phone == server
    assert 50 < sum(server) < 70  # about one right ID in ten, so both answers are exercised
