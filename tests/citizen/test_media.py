"""The media store keeps pixels and a position, never the metadata; it trusts bytes only.

Samples are in tests/fixtures/citizen/ (made by make_samples.py there, which says what each
one holds). A few headers that no tool here can produce as a whole file (HEIC, M4A) are
built in the test and say so.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageFile
from PIL.TiffImagePlugin import IFDRational

from safetyzone.citizen import media as media_module
from safetyzone.citizen.media import MediaKind, MediaStore, StoredMedia, gps_position
from safetyzone.core.errors import (
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    SafetyZoneError,
    UnsupportedMediaType,
)
from safetyzone.web.problems import domain_problem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "citizen"
PHOTO = {MediaKind.PHOTO}
VOICE = {MediaKind.VOICE}
BOTH = {MediaKind.PHOTO, MediaKind.VOICE}
PHITSANULOK = (16 + 49 / 60 + 28.92 / 3600, 100 + 15 / 60 + 32.76 / 3600)
BANGKOK = (13 + 45.39966 / 60, 100 + 30.1059 / 60)
# What the sample files say about their sender; none of it may reach the disk.
PERSONAL = [b"Exif", b"SN-0042", b"Sample Phone", b"xmpmeta", b"Soi 5", b"Somchai",
            "บ้าน".encode(), b"2025:11:30", b"sRGB"]


def sample(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def png_chunks(data: bytes) -> list[bytes]:
    kinds, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        kinds.append(kind)
        at += 12 + length
    return kinds


def jpeg_with_exif(exif: Image.Exif, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_gives_its_gps_position(store: MediaStore) -> None:
    media = store.accept(sample("phitsanulok_gps.jpg"), declared_type="image/jpeg",
                         allow=PHOTO)
    assert media.kind is MediaKind.PHOTO and media.content_type == "image/jpeg"
    assert (media.exif_lat, media.exif_lon) == pytest.approx(PHITSANULOK, abs=1e-7)
    assert (media.width, media.height) == (640, 480)


@pytest.mark.parametrize(("name", "content_type", "position"), [
    ("phitsanulok_gps.jpg", "image/jpeg", PHITSANULOK),
    ("phitsanulok_gps.webp", "image/webp", PHITSANULOK),
    ("text_chunks.png", "image/png", BANGKOK),
    ("bangkok_rotated.jpg", "image/jpeg", BANGKOK),
])
def test_the_stored_copy_keeps_no_metadata(
        store: MediaStore, name: str, content_type: str, position: tuple[float, float]) -> None:
    original = sample(name)
    media = store.accept(original, declared_type=None, allow=PHOTO)
    assert media.content_type == content_type
    assert (media.exif_lat, media.exif_lon) == pytest.approx(position, abs=1e-7)
    for path in (media.path, media.thumb_path):
        assert path is not None
        raw = store.open(path).read_bytes()
        assert [marker for marker in PERSONAL if marker in raw] == []
        with Image.open(io.BytesIO(raw)) as stored:
            stored.load()
            assert not stored.getexif()
            assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
            assert {"exif", "xmp", "icc_profile", "comment"}.isdisjoint(stored.info)
    with Image.open(io.BytesIO(original)) as before:  # the sample did carry all of it
        assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)


def test_png_text_chunks_are_dropped(store: MediaStore) -> None:
    original = sample("text_chunks.png")
    assert {b"tEXt", b"zTXt", b"iTXt", b"iCCP", b"eXIf"} <= set(png_chunks(original))
    media = store.accept(original, declared_type="image/png", allow=PHOTO)
    stored = store.open(media.path).read_bytes()
    assert set(png_chunks(stored)) == {b"IHDR", b"IDAT", b"IEND"}
    with Image.open(io.BytesIO(stored)) as image:
        assert image.mode == "RGBA"  # the transparency is a picture's, and stays


def test_the_stored_photo_is_upright(store: MediaStore) -> None:
    media = store.accept(sample("bangkok_rotated.jpg"), declared_type=None, allow=PHOTO)
    assert (media.width, media.height) == (300, 400)
    with Image.open(store.open(media.path)) as upright:
        rgb = upright.convert("RGB")
        assert upright.size == (300, 400)
        red_top_right, top_left = rgb.getpixel((270, 30)), rgb.getpixel((30, 30))
    assert isinstance(red_top_right, tuple) and isinstance(top_left, tuple)
    assert red_top_right[0] > 200 and red_top_right[1] < 60  # the marker, turned with it
    assert top_left[0] < 200


@pytest.mark.parametrize(("name", "size"), [
    ("phitsanulok_gps.jpg", (320, 240)), ("bangkok_rotated.jpg", (240, 320)),
    ("text_chunks.png", (200, 150)),  # smaller than a thumbnail: never enlarged
])
def test_thumbnails_are_small_jpegs(store: MediaStore, name: str,
                                    size: tuple[int, int]) -> None:
    media = store.accept(sample(name), declared_type=None, allow=PHOTO)
    assert media.thumb_path is not None and media.thumb_path.endswith(".thumb.jpg")
    with Image.open(store.open(media.thumb_path)) as thumb:
        assert (thumb.format, thumb.size, thumb.mode) == ("JPEG", size, "RGB")


def test_files_are_named_by_content_and_written_whole(store: MediaStore,
                                                      tmp_path: Path) -> None:
    media = store.accept(sample("phitsanulok_gps.jpg"), declared_type=None, allow=PHOTO)
    body = store.open(media.path).read_bytes()
    assert hashlib.sha256(body).hexdigest() == media.sha256 and len(body) == media.size
    assert media.path == f"photo/{media.sha256[:2]}/{media.sha256[2:4]}/{media.sha256}.jpg"
    assert [p.name for p in files(tmp_path / "media") if p.name.startswith(".")] == []


def test_a_copy_that_would_keep_metadata_is_never_written(
        store: MediaStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def leaky(image: Image.Image, written: str, quality: int) -> bytes:  # a Pillow regression
        out = io.BytesIO()
        image.save(out, written, comment=b"sent from home")
        return out.getvalue()

    monkeypatch.setattr(media_module, "_encode", leaky)
    with pytest.raises(RuntimeError, match="would keep metadata"):
        store.accept(sample("phitsanulok_gps.jpg"), declared_type=None, allow=PHOTO)
    assert files(tmp_path) == []


def test_a_failed_write_leaves_nothing(store: MediaStore, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def power_cut(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError, match="disk full"):
        store.accept(sample("voice.ogg"), declared_type=None, allow=VOICE)
    assert files(tmp_path / "media") == []


def test_the_same_content_is_stored_once(store: MediaStore, tmp_path: Path) -> None:
    first = store.accept(sample("phitsanulok_gps.jpg"), declared_type=None, allow=PHOTO)
    inode = store.open(first.path).stat().st_ino
    again = store.accept(sample("phitsanulok_gps.jpg"), declared_type=None, allow=PHOTO)
    assert again == first and len(files(tmp_path / "media")) == 2  # photo and thumbnail
    assert store.open(first.path).stat().st_ino == inode  # not even written again
    voice = store.accept(sample("voice.ogg"), declared_type=None, allow=VOICE)
    assert store.accept(sample("voice.ogg"), declared_type=None, allow=VOICE) == voice
    assert len(files(tmp_path / "media")) == 3


def test_the_same_picture_with_other_metadata_is_the_same_file(store: MediaStore) -> None:
    with Image.open(FIXTURES / "phitsanulok_gps.jpg") as image:
        bare, tagged = io.BytesIO(), io.BytesIO()
        image.save(bare, "JPEG", quality=95)
        image.save(tagged, "JPEG", quality=95, exif=image.getexif(), comment=b"at home")
    first = store.accept(bare.getvalue(), declared_type=None, allow=PHOTO)
    second = store.accept(tagged.getvalue(), declared_type=None, allow=PHOTO)
    assert first.path == second.path and first.exif_lat is None
    assert second.exif_lat == pytest.approx(PHITSANULOK[0], abs=1e-7)


@pytest.mark.parametrize(("name", "ext", "content_type"), [
    ("voice.ogg", "ogg", "audio/ogg"), ("voice.webm", "webm", "audio/webm"),
    ("voice.mp3", "mp3", "audio/mpeg"),
])
def test_voice_notes_are_kept_as_sent(store: MediaStore, name: str, ext: str,
                                      content_type: str) -> None:
    data = sample(name)
    media = store.accept(data, declared_type="application/octet-stream", allow=BOTH)
    assert media == StoredMedia(MediaKind.VOICE, content_type, len(data),
                                hashlib.sha256(data).hexdigest(), media.path, None, None, None,
                                None, None)
    assert media.path.startswith("voice/") and media.path.endswith(f".{ext}")
    assert store.open(media.path).read_bytes() == data


def test_m4a_is_recognised_by_its_ftyp_box(store: MediaStore) -> None:
    # Header only (no tool here writes a whole M4A): ftyp "M4A ", then a free box.
    data = struct.pack(">I4s4sI4s", 20, b"ftyp", b"M4A ", 0, b"isom") + struct.pack(
        ">I4s", 16, b"free") + bytes(8)
    media = store.accept(data, declared_type=None, allow=VOICE)
    assert (media.content_type, media.path[-4:]) == ("audio/mp4", ".m4a")


def test_a_text_file_named_jpg_is_refused(store: MediaStore, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedMediaType, match="not a JPEG, PNG or WebP photo"):
        store.accept(sample("not_a_photo.jpg"), declared_type="image/jpeg", allow=PHOTO)
    with pytest.raises(UnsupportedMediaType, match="nor a WebM, Ogg"):
        store.accept(sample("not_a_photo.jpg"), declared_type="image/jpeg", allow=BOTH)
    assert files(tmp_path) == []


def test_other_picture_formats_are_refused(store: MediaStore) -> None:
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    with pytest.raises(UnsupportedMediaType):
        store.accept(gif.getvalue(), declared_type="image/jpeg", allow=PHOTO)
    # Header only (Pillow writes no HEIC): what an iPhone's photo starts with.
    heic = struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"heic", 0, b"mif1", b"heic") + bytes(64)
    with pytest.raises(UnsupportedMediaType, match="HEIC/HEIF and AVIF photos are not"):
        store.accept(heic, declared_type="image/jpeg", allow=PHOTO)


def test_kinds_not_allowed_are_refused(store: MediaStore) -> None:
    with pytest.raises(UnsupportedMediaType, match="voice note is not taken here"):
        store.accept(sample("voice.webm"), declared_type="audio/webm", allow=PHOTO)
    with pytest.raises(UnsupportedMediaType, match="not a WebM, Ogg"):
        store.accept(sample("phitsanulok_gps.jpg"), declared_type=None, allow=VOICE)
    with pytest.raises(ValueError, match="no kind"):
        store.accept(sample("voice.webm"), declared_type=None, allow=set())


@pytest.mark.parametrize("data", [
    sample("truncated.jpg"),
    sample("phitsanulok_gps.jpg")[:2000],  # cut inside the headers
    sample("text_chunks.png")[:-40],  # no end
    b"\xff\xd8\xff\xe0" + bytes(200),  # a JPEG start and nothing that decodes
])
def test_damaged_photos_are_refused(store: MediaStore, tmp_path: Path, data: bytes) -> None:
    with pytest.raises((InvalidInput, UnsupportedMediaType)) as refused:
        store.accept(data, declared_type="image/jpeg", allow=PHOTO)
    if data == sample("truncated.jpg"):
        assert isinstance(refused.value, InvalidInput)
        assert "damaged or incomplete" in refused.value.detail
    assert files(tmp_path) == []


def test_an_empty_file_is_refused(store: MediaStore) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        store.accept(b"", declared_type="image/jpeg", allow=BOTH)


def test_oversize_files_are_refused_before_decoding(tmp_path: Path) -> None:
    small = MediaStore(tmp_path, max_photo_bytes=10_000, max_voice_bytes=300)
    with pytest.raises(PayloadTooLarge, match="at most 10000"):
        small.accept(sample("phitsanulok_gps.jpg"), declared_type=None, allow=PHOTO)
    with pytest.raises(PayloadTooLarge, match="at most 300"):
        small.accept(sample("voice.ogg"), declared_type=None, allow=BOTH)
    assert files(tmp_path) == []


@pytest.mark.parametrize("name", ["bomb.png", "big_48mp.png"])
def test_pixel_bombs_are_refused_without_decoding(
        store: MediaStore, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[object] = []
    load = ImageFile.ImageFile.load

    def counting_load(image: ImageFile.ImageFile) -> object:
        decoded.append(image)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    data = sample(name)
    assert len(data) < 60_000  # small on the wire: a bomb
    with pytest.raises(PayloadTooLarge, match="more than 40 megapixels"):
        store.accept(data, declared_type="image/png", allow=PHOTO)
    assert decoded == [] and files(tmp_path) == []
    # the same cap, lowered, refuses a small picture too: it is the store's, not Pillow's
    with pytest.raises(PayloadTooLarge, match="more than 0 megapixels"):
        MediaStore(tmp_path, max_pixels=1000).accept(
            sample("text_chunks.png"), declared_type=None, allow=PHOTO)


@pytest.mark.parametrize("path", [
    "../../../etc/passwd", "/etc/passwd", "photo/../../../etc/passwd", "",
    "photo/ab/cd/" + "ab" + "0" * 62 + ".jpg/../../x",  # valid start, then out
    "photo\\..\\..\\etc\\passwd", "photo/ab/cd/" + "cd" + "0" * 62 + ".jpg",  # wrong shard
    "photo/ab/cd/ab" + "0" * 62 + ".exe", "photo/ab/cd/ab" + "0" * 62 + ".jpg\x00",
])
def test_open_refuses_paths_outside_the_store(store: MediaStore, path: str) -> None:
    store.accept(sample("phitsanulok_gps.jpg"), declared_type=None, allow=PHOTO)
    with pytest.raises(NotFound):
        store.open(path)
    with pytest.raises(NotFound):
        store.delete(path)


def test_open_refuses_a_link_out_of_the_store(store: MediaStore, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not media")
    name = "photo/ab/cd/abcd" + "e" * 60 + ".jpg"
    (tmp_path / "media" / name).parent.mkdir(parents=True)
    (tmp_path / "media" / name).symlink_to(secret)
    with pytest.raises(NotFound):
        store.open(name)
    with pytest.raises(NotFound):  # a well-formed name of a file that is not there
        store.open("photo/ab/cd/abcd" + "f" * 60 + ".jpg")


def test_delete_is_idempotent_and_takes_the_thumbnail(store: MediaStore,
                                                      tmp_path: Path) -> None:
    media = store.accept(sample("phitsanulok_gps.jpg"), declared_type=None, allow=PHOTO)
    voice = store.accept(sample("voice.webm"), declared_type=None, allow=VOICE)
    store.delete(media.path)
    store.delete(media.path)
    store.delete(media.thumb_path)
    store.delete(None)
    assert files(tmp_path / "media") == [tmp_path / "media" / voice.path]
    with pytest.raises(NotFound):
        store.open(media.path)
    assert store.accept(sample("phitsanulok_gps.jpg"), declared_type=None,
                        allow=PHOTO) == media  # stored again, whole
    assert len(files(tmp_path / "media")) == 3


def gps(lat: object, lat_ref: object, lon: object, lon_ref: object) -> Image.Exif:
    exif = Image.Exif()
    ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
    for tag, value in ((ExifTags.GPS.GPSLatitude, lat), (ExifTags.GPS.GPSLatitudeRef, lat_ref),
                       (ExifTags.GPS.GPSLongitude, lon),
                       (ExifTags.GPS.GPSLongitudeRef, lon_ref)):
        if value is not None:
            ifd[tag] = value
    return exif


R = IFDRational
DMS = (R(16), R(49), R(2892, 100))
DMS_LON = (R(100), R(15), R(3276, 100))


@pytest.mark.parametrize(("exif", "expected"), [
    (gps(DMS, "N", DMS_LON, "E"), PHITSANULOK),
    (gps(DMS, b"S\x00", DMS_LON, "w "), (-PHITSANULOK[0], -PHITSANULOK[1])),
    (gps(((16, 1), (49, 1), (2892, 100)), "N", ((100, 1), (15, 1), (3276, 100)), "E"),
     PHITSANULOK),
    (gps((16.8247,), "N", (100.2591,), "E"), (16.8247, 100.2591)),
    (gps(DMS, None, DMS_LON, "E"), None),  # which hemisphere? no guess
    (gps(DMS, "X", DMS_LON, "E"), None),
    (gps((R(16), R(49, 0), R(1)), "N", DMS_LON, "E"), None),  # zero denominator
    (gps((R(91), R(0), R(0)), "N", DMS_LON, "E"), None),
    (gps((R(16), R(61), R(0)), "N", DMS_LON, "E"), None),
    (gps((R(-16), R(0), R(0)), "N", DMS_LON, "E"), None),
    (gps("sixteen", "N", DMS_LON, "E"), None),
    (gps((R(1), R(2), R(3), R(4)), "N", DMS_LON, "E"), None),
    (gps((R(0), R(0), R(0)), "N", (R(0), R(0), R(0)), "E"), None),  # no fix
    (gps(None, None, None, None), None),
    (Image.Exif(), None),
    (None, None),
])
def test_gps_position_reads_what_is_there_and_guesses_nothing(
        exif: Image.Exif | None, expected: tuple[float, float] | None) -> None:
    position = gps_position(exif)
    if expected is None:
        assert position is None
    else:
        assert position == pytest.approx(expected, abs=1e-7)


def garbage_exif() -> bytes:
    """EXIF written by hand, as a broken phone might: Orientation 99, and GPS tags of the
    wrong types (a latitude in words, a reference "7", a longitude over zero)."""
    def entry(tag: int, kind: int, count: int, value: bytes) -> bytes:
        return struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\x00")

    ifd0 = struct.pack("<H", 2) + entry(0x0112, 3, 1, struct.pack("<H", 99)) + entry(
        0x8825, 4, 1, struct.pack("<I", 38)) + struct.pack("<I", 0)
    gps_ifd = struct.pack("<H", 4) + entry(1, 2, 2, b"7\x00") + entry(
        2, 2, 8, struct.pack("<I", 92)) + entry(3, 1, 2, b"\xff\xfe") + entry(
        4, 5, 1, struct.pack("<I", 100)) + struct.pack("<I", 0)
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0 + gps_ifd + b"sixteen\x00" + struct.pack(
        "<II", 1, 0)
    assert len(b"II*\x00" + struct.pack("<I", 8) + ifd0) == 38 and len(tiff) == 108
    return b"Exif\x00\x00" + tiff


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # Pillow's, about our broken sample
def test_garbage_exif_does_not_cost_the_photo(store: MediaStore) -> None:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(out, "JPEG", exif=garbage_exif())
    with Image.open(io.BytesIO(out.getvalue())) as written:  # the garbage is really there
        gps_tags = written.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert gps_tags[ExifTags.GPS.GPSLatitude] == "sixteen"
        assert written.getexif()[ExifTags.Base.Orientation] == 99
    media = store.accept(out.getvalue(), declared_type=None, allow=PHOTO)
    assert (media.exif_lat, media.exif_lon, media.width, media.height) == (None, None, 64, 48)
    broken = bytearray(jpeg_with_exif(gps(DMS, "N", DMS_LON, "E")))
    at = broken.index(b"Exif\x00\x00") + 6
    broken[at + 4:at + 8] = b"\xff\xff\xff\x7f"  # the first directory lies far outside
    media = store.accept(bytes(broken), declared_type=None, allow=PHOTO)
    assert (media.exif_lat, media.width) == (None, 64)


def test_an_unusable_colour_profile_is_dropped(store: MediaStore) -> None:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(out, "JPEG", icc_profile=b"not a profile")
    media = store.accept(out.getvalue(), declared_type=None, allow=PHOTO)
    with Image.open(store.open(media.path)) as stored:
        assert "icc_profile" not in stored.info


def test_refusals_answer_their_http_status() -> None:
    assert domain_problem(UnsupportedMediaType("no")).status_code == 415
    assert domain_problem(PayloadTooLarge("no")).status_code == 413


SAMPLES = ["phitsanulok_gps.jpg", "bangkok_rotated.jpg", "text_chunks.png",
           "phitsanulok_gps.webp", "voice.ogg", "voice.webm", "voice.mp3"]


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")  # Pillow's
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLES), st.data())
def test_damaged_uploads_are_stored_clean_or_refused_never_crash(name: str,
                                                                 data: st.DataObject) -> None:
    """Bytes changed anywhere in the headers (EXIF, chunks, boxes) or cut short: the store
    answers with one of its errors or keeps a clean copy, never anything else."""
    upload = bytearray(sample(name))
    span = min(len(upload), 3000)
    for _ in range(data.draw(st.integers(1, 8))):
        upload[data.draw(st.integers(0, span - 1))] = data.draw(st.integers(0, 255))
    upload = upload[:data.draw(st.integers(1, len(upload)))]
    with tempfile.TemporaryDirectory() as root:
        store = MediaStore(Path(root))
        try:
            media = store.accept(bytes(upload), declared_type=None, allow=BOTH)
        except SafetyZoneError:
            assert files(Path(root)) == []
            return
        raw = store.open(media.path).read_bytes()
        if media.kind is MediaKind.VOICE:
            assert raw == upload
        else:
            with Image.open(io.BytesIO(raw)) as stored:
                assert not stored.getexif() and "icc_profile" not in stored.info
