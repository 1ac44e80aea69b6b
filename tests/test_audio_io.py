"""Tests for quantviz.audio_io.

References are independent of the code under test: grids and integer codes
are computed here, reference files are written with the stdlib ``wave``
module and parsed byte by byte, and G.711 is checked against Python 3.11's
``audioop``.
"""

import io
import math
import struct
import warnings
import wave

import numpy as np
import pytest
import soundfile as sf

from quantviz import audio_io as aio
from quantviz.audio_io import AudioInputError

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # removed in Python 3.13; the project pins 3.11

RNG_SEED = 1234


# --------------------------------------------------------------------------
# helpers (independent of audio_io)
# --------------------------------------------------------------------------


def stdlib_wav(ints: np.ndarray, rate: int, width: int) -> bytes:
    """PCM WAV from integer samples of shape (channels, n) via the stdlib."""
    ints = np.atleast_2d(ints)
    if width == 1:
        raw = np.ascontiguousarray(ints.T + 128, dtype=np.uint8).tobytes()
    else:  # the low `width` bytes of each little-endian int32, frames interleaved
        raw = np.ascontiguousarray(ints.T, dtype="<i4").view(np.uint8).reshape(-1, 4)[:, :width].tobytes()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(ints.shape[0])
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(raw)
    return buf.getvalue()


def stdlib_read(data: bytes):
    """(ints of shape (channels, n), width, rate) parsed with the stdlib only."""
    with wave.open(io.BytesIO(data)) as w:
        width, rate, channels = w.getsampwidth(), w.getframerate(), w.getnchannels()
        raw = np.frombuffer(w.readframes(w.getnframes()), np.uint8).reshape(-1, width)
    if width == 1:
        ints = raw[:, 0].astype(np.int64) - 128
    else:
        ints = sum(raw[:, i].astype(np.int64) << (8 * i) for i in range(width))
        ints = np.where(ints >= 1 << (8 * width - 1), ints - (1 << (8 * width)), ints)
    return ints.reshape(-1, channels).T, width, rate


def sf_bytes(frames: np.ndarray, rate: int, fmt: str, subtype: str) -> bytes:
    """File bytes written by soundfile; ``frames`` is (n,) or (n, channels)."""
    buf = io.BytesIO()
    sf.write(buf, frames, rate, format=fmt, subtype=subtype)
    return buf.getvalue()


def container_width(bits: int) -> int:
    return 1 if bits <= 8 else 2 if bits <= 16 else 3 if bits <= 24 else 4


def grid_codes(bits: int, shape) -> np.ndarray:
    """Random quantizer indices k in [0, 2**bits), including both ends."""
    k = np.random.default_rng(RNG_SEED + bits).integers(0, 2**bits, size=shape, dtype=np.int64)
    k[..., 0], k[..., 1] = 0, 2**bits - 1
    return k


# --------------------------------------------------------------------------
# wav_bytes
# --------------------------------------------------------------------------


@pytest.mark.parametrize("bits", [*range(1, 25), 25, 28, 31, 32])
def test_wav_bytes_keeps_grid_values_exactly(bits):
    k = grid_codes(bits, (2, 3000))
    y = k * 2.0 ** (1 - bits) - 1.0  # the b-bit quantizer grid on [-1, 1)
    data = aio.wav_bytes(y, 44_100, bits)

    back, rate = sf.read(io.BytesIO(data), dtype="float64", always_2d=True)
    assert rate == 44_100
    np.testing.assert_array_equal(back.T, y)

    raw32, _ = sf.read(io.BytesIO(data), dtype="int32", always_2d=True)
    np.testing.assert_array_equal(raw32.T, k * 2 ** (32 - bits) - 2**31)

    ints, width, rate = stdlib_read(data)  # no libsndfile on this path
    assert (width, rate, ints.shape[0]) == (container_width(bits), 44_100, 2)
    np.testing.assert_array_equal(ints, k * 2 ** (8 * width - bits) - 2 ** (8 * width - 1))


def test_wav_bytes_mono_header_and_subtype():
    data = aio.wav_bytes(np.zeros(100), 8000.0, bits=8)  # a whole-number float rate is fine
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 1, 8000, 100)
    assert sf.info(io.BytesIO(data)).subtype == "PCM_U8"


@pytest.mark.parametrize("bits", [8, 16, 24])
def test_wav_bytes_clips_instead_of_wrapping(bits):
    top = 1 - 2.0 ** (1 - bits)
    y = np.array([1.0, 1.5, 7.0, -1.0, -1.5, -7.0, 0.0])
    back, _ = sf.read(io.BytesIO(aio.wav_bytes(y, 8000, bits)), dtype="float64")
    np.testing.assert_array_equal(back, [top, top, top, -1, -1, -1, 0])


def test_wav_bytes_rounds_off_grid_values_to_nearest():
    y = np.array([0.3, -0.3, 1e-6, 0.123456789])
    back, _ = sf.read(io.BytesIO(aio.wav_bytes(y, 8000, 16)), dtype="float64")
    np.testing.assert_array_equal(back, np.round(y * 32768) / 32768)


@pytest.mark.parametrize("bits, tolerance_db", [(24, 1e-3), (16, 0.1)])
def test_quiet_tone_keeps_its_level(bits, tolerance_db):
    t = np.arange(48_000) / 48_000
    y = 10 ** (-60 / 20) * np.sin(2 * np.pi * 1000 * t)  # -60 dBFS peak
    back, _ = sf.read(io.BytesIO(aio.wav_bytes(y, 48_000, bits)), dtype="float64")
    assert 20 * np.log10(np.max(np.abs(back))) == pytest.approx(-60, abs=tolerance_db)


def test_all_zero_audio_is_fine_everywhere():
    zeros = np.zeros((2, 500))
    back, _ = sf.read(io.BytesIO(aio.wav_bytes(zeros, 8000, 4)), dtype="float64", always_2d=True)
    assert not back.any()
    assert aio.peak_dbfs(zeros) == -math.inf and aio.rms_dbfs(zeros) == -math.inf
    limited, reduction = aio.limit(zeros)
    assert reduction == 0.0 and not limited.any()


@pytest.mark.parametrize(
    "y, rate, bits, word",
    [
        (np.zeros(10), 8000, 0, "bits"),
        (np.zeros(10), 8000, 33, "bits"),
        (np.zeros(10), 8000, 2.5, "bits"),
        (np.zeros(10), 500, 16, "sample_rate"),
        (np.zeros(10), 44_100.5, 16, "sample_rate"),
        (np.array([0.0, np.nan]), 8000, 16, "NaN"),
        (np.zeros(0), 8000, 16, "n >= 1"),
        (np.zeros((2, 2, 2)), 8000, 16, "shape"),
        (np.zeros((1000, 2)), 8000, 16, "transpose"),
        (np.zeros(4, dtype=complex), 8000, 16, "real"),
    ],
)
def test_wav_bytes_rejects_bad_input(y, rate, bits, word):
    with pytest.raises(AudioInputError, match=word):
        aio.wav_bytes(y, rate, bits)


# --------------------------------------------------------------------------
# g711_wav_bytes
# --------------------------------------------------------------------------

G711 = {
    "mu": (7, audioop.lin2ulaw, audioop.ulaw2lin),
    "a": (6, audioop.lin2alaw, audioop.alaw2lin),
}


def riff_chunks(data: bytes) -> dict:
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    chunks, pos = {}, 12
    while pos + 8 <= len(data):
        tag, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        chunks[tag] = data[pos + 8 : pos + 8 + size]
        pos += 8 + size + size % 2
    return chunks


@pytest.mark.parametrize("law", ["mu", "a"])
def test_g711_from_pcm_matches_audioop_for_every_int16(law):
    tag, encode, decode = G711[law]
    pcm = np.arange(-32768, 32768, dtype=np.int16)
    data = aio.g711_wav_bytes(pcm, 8000, law)

    fmt = riff_chunks(data)[b"fmt "]
    assert struct.unpack("<HHIIHH", fmt[:16]) == (tag, 1, 8000, 8000, 1, 8)
    codes = encode(pcm.tobytes(), 2)
    assert riff_chunks(data)[b"data"] == codes
    decoded, rate = sf.read(io.BytesIO(data), dtype="int16")
    assert rate == 8000
    np.testing.assert_array_equal(decoded, np.frombuffer(decode(codes, 2), np.int16))


@pytest.mark.parametrize("law", ["mu", "a"])
def test_g711_from_codes_is_verbatim(law):
    tag, _, decode = G711[law]
    codes = np.random.default_rng(RNG_SEED).integers(0, 256, size=(2, 999), dtype=np.uint8)
    data = aio.g711_wav_bytes(codes, 16_000, law)
    chunks = riff_chunks(data)
    assert struct.unpack("<HHIIHH", chunks[b"fmt "][:16]) == (tag, 2, 16_000, 32_000, 2, 8)
    assert chunks[b"data"] == codes.T.tobytes()
    assert struct.unpack("<I", chunks[b"fact"])[0] == 999
    decoded, _ = sf.read(io.BytesIO(data), dtype="int16", always_2d=True)
    np.testing.assert_array_equal(decoded.T.ravel(order="F"), np.frombuffer(decode(codes.T.tobytes(), 2), np.int16))


def test_g711_from_float_equals_from_rounded_pcm():
    y = np.random.default_rng(RNG_SEED).uniform(-1.2, 1.2, 5000)
    pcm = np.clip(np.round(y * 32768), -32768, 32767).astype(np.int16)
    assert aio.g711_wav_bytes(y, 8000, "a") == aio.g711_wav_bytes(pcm, 8000, "a")


@pytest.mark.parametrize(
    "x, law, word",
    [
        (np.zeros(10, dtype=np.int16), "b", "law"),
        (np.array([0, 40_000]), "mu", "32767"),
        (np.array([0.0, np.inf]), "mu", "NaN"),
    ],
)
def test_g711_rejects_bad_input(x, law, word):
    with pytest.raises(AudioInputError, match=word):
        aio.g711_wav_bytes(x, 8000, law)


# --------------------------------------------------------------------------
# read_audio: good files of many kinds
# --------------------------------------------------------------------------


def ramp_ints(bits: int, n: int = 4000, channels: int = 1) -> np.ndarray:
    k = grid_codes(bits, (channels, n))
    return k - 2 ** (bits - 1)


def test_read_16_bit_wav_from_stdlib():
    ints = ramp_ints(16, channels=1)
    clip = aio.read_audio(stdlib_wav(ints, 22_050, 2), name="a.wav")
    assert (clip.sample_rate, clip.subtype, clip.notice, clip.name) == (22_050, "PCM_16", "", "a.wav")
    assert clip.samples.dtype == np.float64 and clip.samples.shape == (1, 4000)
    np.testing.assert_array_equal(clip.samples, ints / 2**15)
    assert clip.channels == 1 and clip.duration == pytest.approx(4000 / 22_050)


def test_read_8_bit_unsigned_wav():
    ints = ramp_ints(8)
    clip = aio.read_audio(stdlib_wav(ints, 8000, 1))
    assert clip.subtype == "PCM_U8"
    np.testing.assert_array_equal(clip.samples, ints / 128)


def test_read_24_bit_wav():
    ints = ramp_ints(24)
    clip = aio.read_audio(stdlib_wav(ints, 96_000, 3))
    assert (clip.subtype, clip.sample_rate) == ("PCM_24", 96_000)
    np.testing.assert_array_equal(clip.samples, ints / 2**23)


def test_read_float32_wav():
    y = np.random.default_rng(RNG_SEED).uniform(-1, 1, 3000).astype(np.float32)
    clip = aio.read_audio(sf_bytes(y, 48_000, "WAV", "FLOAT"))
    assert clip.subtype == "FLOAT" and clip.notice == ""
    np.testing.assert_array_equal(clip.samples[0], y.astype(np.float64))


def test_float_file_above_full_scale_is_scaled_down_with_notice():
    y = np.array([0.5, -2.0, 1.0, 0.0] * 100, dtype=np.float32)
    clip = aio.read_audio(sf_bytes(y, 8000, "WAV", "FLOAT"))
    np.testing.assert_array_equal(clip.samples[0], y / 2.0)
    assert "Scaled down by 6.0 dB" in clip.notice


def test_read_flac_made_here():
    ints = ramp_ints(16)
    clip = aio.read_audio(sf_bytes(ints[0].astype(np.int16), 32_000, "FLAC", "PCM_16"))
    assert (clip.subtype, clip.sample_rate) == ("PCM_16", 32_000)
    np.testing.assert_array_equal(clip.samples, ints / 2**15)


def test_read_ogg_vorbis_made_here():
    t = np.arange(44_100) / 44_100
    y = 0.5 * np.sin(2 * np.pi * 440 * t)
    clip = aio.read_audio(sf_bytes(y, 44_100, "OGG", "VORBIS"), name="a.ogg")
    assert clip.subtype == "VORBIS" and clip.samples.shape == (1, 44_100)
    assert aio.peak_dbfs(clip.samples) == pytest.approx(-6.02, abs=0.5)


@pytest.mark.skipif("MP3" not in sf.available_formats(), reason="libsndfile without MP3")
def test_read_mp3_made_here():
    t = np.arange(44_100) / 44_100
    data = sf_bytes(0.5 * np.sin(2 * np.pi * 440 * t), 44_100, "MP3", "MPEG_LAYER_III")
    clip = aio.read_audio(data, name="a.mp3")
    assert clip.subtype == "MPEG_LAYER_III"
    assert clip.duration == pytest.approx(1.0, abs=0.1)
    assert "MP3" in aio.SUPPORTED_FORMATS


@pytest.mark.skipif("MP3" not in sf.available_formats(), reason="libsndfile without MP3")
def test_mp3_cut_short_is_read_as_far_as_it_goes():
    t = np.arange(3 * 44_100) / 44_100
    data = sf_bytes(0.5 * np.sin(2 * np.pi * 440 * t), 44_100, "MP3", "MPEG_LAYER_III")
    clip = aio.read_audio(data[: len(data) // 2], name="half.mp3")
    assert 0.5 < clip.duration < 2.5
    assert "cut short" in clip.notice
    assert aio.peak_dbfs(clip.samples) < -5  # decoded audio, not stale buffer contents


def six_channel_wav(n=2000):
    ints = np.random.default_rng(RNG_SEED).integers(-20_000, 20_000, size=(6, n))
    return ints, stdlib_wav(ints, 48_000, 2)


def test_six_channels_are_mixed_down_by_default():
    ints, data = six_channel_wav()
    clip = aio.read_audio(data, name="surround.wav")
    assert clip.samples.shape == (1, 2000)
    np.testing.assert_allclose(clip.samples[0], (ints / 2**15).mean(axis=0), rtol=0, atol=1e-15)
    assert clip.notice == "Mixed down 6 channels to mono"


def test_pick_one_channel_or_keep_all():
    ints, data = six_channel_wav()
    picked = aio.read_audio(data, channel=2)
    np.testing.assert_array_equal(picked.samples, ints[2:3] / 2**15)
    assert picked.notice == "Using channel 2 of 6"
    every = aio.read_audio(data, channel="all")
    np.testing.assert_array_equal(every.samples, ints / 2**15)
    assert every.notice == ""


@pytest.mark.parametrize("channel", [6, -1, True, "left", 1.0])
def test_bad_channel_choice(channel):
    _, data = six_channel_wav()
    with pytest.raises(AudioInputError, match="channel"):
        aio.read_audio(data, channel=channel)


def test_long_file_is_trimmed_with_notice():
    ints = np.random.default_rng(RNG_SEED).integers(-30_000, 30_000, size=(1, 3 * 8000))
    data = stdlib_wav(ints, 8000, 2)
    clip = aio.read_audio(data, max_seconds=1.0)
    np.testing.assert_array_equal(clip.samples, ints[:, :8000] / 2**15)
    assert clip.notice == "Trimmed to the first 1 s of 3 s"

    later = aio.read_audio(data, max_seconds=1.0, start_seconds=1.5)
    np.testing.assert_array_equal(later.samples, ints[:, 12_000:20_000] / 2**15)
    assert later.notice == "Trimmed to 1 s starting at 1.5 s of 3 s"


def test_default_cap_is_sixty_seconds():
    data = stdlib_wav(np.zeros((1, 61 * 1000), dtype=np.int64), 1000, 2)
    clip = aio.read_audio(data)
    assert clip.samples.shape == (1, 60_000) and clip.notice.startswith("Trimmed")


def test_start_outside_file_is_rejected():
    data = stdlib_wav(np.zeros((1, 8000), dtype=np.int64), 8000, 2)
    for start in (1.0, 5.0, -0.1, math.nan):
        with pytest.raises(AudioInputError, match="start_seconds"):
            aio.read_audio(data, start_seconds=start)


def test_wav_cut_short_in_its_data_is_read_with_notice():
    ints = ramp_ints(16, n=8000)
    data = stdlib_wav(ints, 8000, 2)[: 44 + 2 * 3000]
    clip = aio.read_audio(data)
    np.testing.assert_array_equal(clip.samples, ints[:, :3000] / 2**15)
    assert "cut short" in clip.notice


# --------------------------------------------------------------------------
# read_audio: bad uploads
# --------------------------------------------------------------------------


def nan_float_wav():
    y = np.zeros(100, dtype=np.float32)
    y[50] = np.nan
    return sf_bytes(y, 8000, "WAV", "FLOAT")


def half_a_flac():
    data = sf_bytes(ramp_ints(16, n=20_000)[0].astype(np.int16), 8000, "FLAC", "PCM_16")
    return data[: len(data) // 2]


BAD_UPLOADS = {
    "empty": (b"", "empty"),
    "random bytes": (np.random.default_rng(RNG_SEED).bytes(4096), "Could not decode"),
    "text renamed .wav": (b"Dear diary, today I learned about quantization.\n" * 20, "WAV, FLAC"),
    "wav cut in its header": (stdlib_wav(np.zeros((1, 100), dtype=np.int64), 8000, 2)[:30], "damaged or truncated"),
    "flac cut in half": (half_a_flac(), "damaged or truncated"),
    "zero-length wav": (stdlib_wav(np.zeros((1, 0), dtype=np.int64), 8000, 2), "no audio samples"),
    "NaN float wav": (nan_float_wav(), "NaN"),
    "sample rate 500 Hz": (stdlib_wav(np.zeros((1, 100), dtype=np.int64), 500, 2), "sample rate of 500 Hz"),
    "sample rate 400 kHz": (stdlib_wav(np.zeros((1, 100), dtype=np.int64), 400_000, 2), "384,000 Hz"),
}


@pytest.mark.parametrize("data, word", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_bad_uploads_give_clear_errors(data, word):
    with pytest.raises(AudioInputError, match=word):
        aio.read_audio(data, name="notes.wav")


def test_infinite_float_samples_are_rejected():
    y = np.zeros(100, dtype=np.float32)
    y[3] = -np.inf
    with pytest.raises(AudioInputError, match="infinite"):
        aio.read_audio(sf_bytes(y, 8000, "WAV", "FLOAT"))


def test_audio_input_error_is_a_value_error():
    assert issubclass(AudioInputError, ValueError)


def test_oversize_upload_is_refused_before_decoding(monkeypatch):
    def must_not_decode(*args, **kwargs):
        raise AssertionError("decoded an oversize file")

    monkeypatch.setattr(sf, "SoundFile", must_not_decode)
    with pytest.raises(AudioInputError, match=r"50\.0 MB, over the 50 MB upload limit"):
        aio.read_audio(bytes(50_000_001), name="big.wav")
    with pytest.raises(AudioInputError, match="limit"):
        aio.read_audio(b"RIFF" + bytes(2000), max_bytes=1000)


def test_not_bytes_is_rejected():
    with pytest.raises(AudioInputError, match="bytes"):
        aio.read_audio("song.wav")


def test_clip_samples_are_read_only():
    clip = aio.read_audio(stdlib_wav(ramp_ints(16), 8000, 2))
    with pytest.raises(ValueError):
        clip.samples[0, 0] = 0.5


# --------------------------------------------------------------------------
# limit, excerpt, levels
# --------------------------------------------------------------------------


def test_limit_turns_loud_audio_down_to_the_ceiling():
    y = np.array([[0.1, -5.0, 2.0], [0.0, 1.0, -0.5]])
    out, reduction = aio.limit(y, ceiling_db=-1.0)
    ceiling = 10 ** (-1 / 20)
    assert np.max(np.abs(out)) == pytest.approx(ceiling, rel=1e-12)
    assert reduction == pytest.approx(20 * np.log10(5.0 / ceiling), rel=1e-12)
    np.testing.assert_allclose(out, y * ceiling / 5.0, rtol=1e-15)  # one gain, shape kept


def test_limit_never_turns_up():
    y = np.array([0.001, -0.002])
    out, reduction = aio.limit(y, ceiling_db=-1.0)
    np.testing.assert_array_equal(out, y)
    assert reduction == 0.0
    out[0] = 9  # a copy, not the caller's array
    assert y[0] == 0.001


@pytest.mark.parametrize("ceiling", [3.0, math.nan, math.inf])
def test_limit_rejects_bad_ceiling(ceiling):
    with pytest.raises(AudioInputError, match="ceiling_db"):
        aio.limit(np.zeros(3), ceiling_db=ceiling)


def test_excerpt_selects_and_clamps():
    y = np.vstack([np.arange(10_000), -np.arange(10_000)]).astype(float)
    seg, start, length = aio.excerpt(y, 1000, 2.0, 1.5)
    np.testing.assert_array_equal(seg, y[:, 2000:3500])
    assert (start, length) == (2.0, 1.5)
    seg, start, length = aio.excerpt(y[0], 1000, 9.5, 2.0)  # slides back to fit
    assert (start, length, seg[0]) == (8.0, 2.0, 8000)
    seg, start, length = aio.excerpt(y[0], 1000, -3.0, 60.0)  # whole signal
    assert (start, length, seg.size) == (0.0, 10.0, 10_000)
    seg, start, length = aio.excerpt(y[0], 1000, 1.0, 1e-9)  # at least one sample
    assert (seg.size, length) == (1, 0.001)


@pytest.mark.parametrize("start, length", [(0.0, 0.0), (0.0, -1.0), (math.nan, 1.0), (0.0, math.inf)])
def test_excerpt_rejects_bad_window(start, length):
    with pytest.raises(AudioInputError, match="length"):
        aio.excerpt(np.zeros(100), 1000, start, length)


def test_level_helpers():
    t = np.arange(48_000) / 48_000
    sine = np.sin(2 * np.pi * 1000 * t)
    assert aio.peak_dbfs(sine) == pytest.approx(0.0, abs=1e-9)
    assert aio.rms_dbfs(sine) == pytest.approx(-3.0103, abs=1e-3)
    assert aio.peak_dbfs(0.001 * sine) == pytest.approx(-60.0, abs=1e-9)


# --------------------------------------------------------------------------
# built-in clips
# --------------------------------------------------------------------------

# documented in assets/CREDITS.md: key -> (seconds or (min, max), peak dBFS)
BUILT_IN = {
    "piano": (6.0, -6.0),
    "chords": (8.0, -6.0),
    "sweep": (6.0, -6.0),
    "tone60": (5.0, -60.0),
    "speech": ((5.0, 8.0), -3.0),
}


def test_clip_list_matches_files():
    assert list(aio.CLIPS) == list(BUILT_IN)
    sizes = [(aio.AUDIO_DIR / f"{key}.flac").stat().st_size for key in aio.CLIPS]
    assert sum(sizes) < 4_000_000


@pytest.mark.parametrize("key", BUILT_IN)
def test_built_in_clip(key):
    seconds, peak_db = BUILT_IN[key]
    clip = aio.load_clip(key)
    assert (clip.sample_rate, clip.channels, clip.subtype, clip.notice) == (48_000, 1, "PCM_24", "")
    if isinstance(seconds, tuple):
        assert seconds[0] <= clip.duration <= seconds[1]
    else:
        assert clip.samples.shape[1] == round(seconds * 48_000)
    assert aio.peak_dbfs(clip.samples) == pytest.approx(peak_db, abs=1.0)
    assert aio.load_clip(key) is clip  # cached


def test_tone60_is_minus_60_dbfs():
    clip = aio.load_clip("tone60")
    assert aio.peak_dbfs(clip.samples) == pytest.approx(-60.0, abs=0.01)
    middle = clip.samples[0, 48_000:96_000]  # one second away from the fades
    assert aio.rms_dbfs(middle) == pytest.approx(-63.01, abs=0.01)


def test_piano_tail_is_quiet():
    tail = aio.load_clip("piano").samples[0, -24_000:]  # last 0.5 s
    assert -80 < aio.peak_dbfs(tail) < -65


def test_unknown_clip():
    with pytest.raises(AudioInputError, match="piano"):
        aio.load_clip("drums")
