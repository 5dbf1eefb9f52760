"""The export package and its offline check (pure: files and bytes, no database).

A ZIP with:

* ``clips/<camera>-<clip>.mp4``: the clips, byte for byte as stored;
* ``manifest.json``: the incident, each clip's camera and times (UTC and Bangkok), its
  SHA-256 and size, who exported it, when, from where, and the signing key's fingerprint;
* ``manifest.json.sig``: the server's Ed25519 signature over the exact bytes of
  ``manifest.json`` (64 raw bytes; ``openssl pkeyutl -verify -rawin`` checks it too);
* ``server-public-key.pem``: the key to check it with (compare its fingerprint with the one
  the station publishes: a package can carry any key, only a known one proves the origin);
* ``SHA256SUMS``: every other file's hash, in the format ``sha256sum -c`` reads;
* ``README.txt``: how to check all of this without SafetyZone.

``verify`` re-hashes everything and checks the signature, and names each thing that fails.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from safetyzone.video.evidence.signing import EvidenceSigner, fingerprint

FORMAT = "safetyzone-evidence/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
PUBLIC_KEY = "server-public-key.pem"
SUMS = "SHA256SUMS"
README = "README.txt"
MAX_MEMBER_BYTES = 8 * 1024**3  # a clip larger than this is not one of ours
_SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")

README_TEXT = """SafetyZone evidence package / ชุดหลักฐานจาก SafetyZone

Check it (ตรวจสอบ):
  1. Hashes / ค่าแฮช:        sha256sum -c SHA256SUMS
  2. Signature / ลายมือชื่อ:  openssl pkeyutl -verify -pubin -inkey server-public-key.pem \\
                                -rawin -in manifest.json -sigfile manifest.json.sig
  3. Or both / หรือทั้งสองอย่าง: ssz evidence verify <this zip> [--public-key station.pem]

Compare the key's fingerprint (manifest.json: signing_key) with the one the station
publishes: the signature proves who made the manifest only for a key you already trust.
"""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def build(out: Path, *, manifest: dict[str, Any], clips: list[tuple[str, Path]],
          signer: EvidenceSigner) -> None:
    """Write the package to ``out``; ``clips`` are (name in the ZIP, file on disk)."""
    body = manifest_bytes({**manifest, "format": FORMAT, "signing_key": signer.fingerprint})
    small = {MANIFEST: body, SIGNATURE: signer.sign(body), PUBLIC_KEY: signer.public_pem,
             README: README_TEXT.encode()}
    sums = [f"{sha256_file(path)}  {name}\n" for name, path in clips]
    sums += [f"{sha256_bytes(data)}  {name}\n" for name, data in small.items()]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, path in clips:  # video is compressed already
            archive.write(path, name)
        for name, data in small.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(SUMS, "".join(sums), compress_type=zipfile.ZIP_DEFLATED)


@dataclass
class Report:
    """What the check found: each line says what was checked and whether it held."""

    lines: list[tuple[bool, str]] = field(default_factory=list)
    fingerprint: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.lines) and all(good for good, _ in self.lines)

    @property
    def failures(self) -> list[str]:
        return [text for good, text in self.lines if not good]

    def add(self, good: bool, text: str) -> None:
        self.lines.append((good, text))


def _hash_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    digest = hashlib.sha256()
    with archive.open(info) as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, *, trusted_key: bytes | None = None) -> Report:
    """Check a package: every hash, the signature, and (given) that the key is the trusted
    one. ``trusted_key``: a PEM public key, or its raw 32 bytes."""
    report = Report()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as err:
        report.add(False, f"{path}: not a readable ZIP ({err})")
        return report
    with archive:
        members = {i.filename: i for i in archive.infolist() if not i.is_dir()}
        for name, info in members.items():
            if name.startswith("/") or ".." in name.split("/") or info.file_size > \
                    MAX_MEMBER_BYTES:
                report.add(False, f"{name}: a name or size no package of ours has")
                return report
        for needed in (MANIFEST, SIGNATURE, PUBLIC_KEY, SUMS):
            if needed not in members:
                report.add(False, f"{needed}: missing from the package")
        if not report.lines:
            _check_signature(archive, report, trusted_key)
            _check_sums(archive, members, report)
            _check_manifest(archive, members, report)
    return report


def _check_signature(archive: zipfile.ZipFile, report: Report, trusted: bytes | None) -> None:
    body = archive.read(MANIFEST)
    try:
        key = serialization.load_pem_public_key(archive.read(PUBLIC_KEY))
    except ValueError:
        report.add(False, f"{PUBLIC_KEY}: not a PEM public key")
        return
    if not isinstance(key, Ed25519PublicKey):
        report.add(False, f"{PUBLIC_KEY}: not an Ed25519 key")
        return
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    report.fingerprint = fingerprint(raw)
    try:
        key.verify(archive.read(SIGNATURE), body)
        report.add(True, f"{MANIFEST}: signature valid (key {report.fingerprint})")
    except InvalidSignature:
        report.add(False, f"{MANIFEST}: the signature does not match: the manifest was "
                          "changed after it was signed, or signed by another key")
    if trusted is not None:
        want = trusted
        if trusted.lstrip().startswith(b"-----"):
            loaded = serialization.load_pem_public_key(trusted)
            want = loaded.public_bytes(serialization.Encoding.Raw,
                                       serialization.PublicFormat.Raw)
        report.add(want == raw, f"{PUBLIC_KEY}: " + (
            "is the trusted key" if want == raw else
            f"is NOT the trusted key ({report.fingerprint} vs {fingerprint(want)})"))


def _check_sums(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo],
                report: Report) -> None:
    listed: set[str] = set()
    for line in archive.read(SUMS).decode("utf-8", errors="replace").splitlines():
        match = _SUM_LINE.match(line)
        if match is None:
            report.add(False, f"{SUMS}: a line that is not '<sha256>  <file>': {line[:80]!r}")
            continue
        want, name = match.groups()
        listed.add(name)
        if name not in members:
            report.add(False, f"{name}: listed in {SUMS} but missing from the package")
            continue
        got = _hash_member(archive, members[name])
        report.add(got == want, f"{name}: " + ("sha256 OK" if got == want else
                                               f"sha256 is {got}, {SUMS} says {want}"))
    for name in sorted(set(members) - listed - {SUMS}):
        report.add(False, f"{name}: in the package but in no {SUMS} line")


def _check_manifest(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo],
                    report: Report) -> None:
    try:
        manifest = json.loads(archive.read(MANIFEST))
        clips = manifest["clips"]
        assert isinstance(clips, list)
    except (ValueError, KeyError, AssertionError, TypeError):
        report.add(False, f"{MANIFEST}: not a manifest of this format")
        return
    if manifest.get("format") != FORMAT:
        report.add(False, f"{MANIFEST}: format {manifest.get('format')!r}, expected {FORMAT}")
    for clip in clips:
        name = clip.get("file") if isinstance(clip, dict) else None
        if not isinstance(name, str) or name not in members:
            report.add(False, f"{MANIFEST}: names a clip {name!r} the package does not hold")
            continue
        got = _hash_member(archive, members[name])
        want = clip.get("sha256")
        report.add(got == want, f"{name}: " + (
            "matches the manifest" if got == want else
            f"sha256 is {got}, the manifest says {want}"))
