"""G.711 codecs: bit-exact against CPython's audioop (Sun g711.c) over every input."""

import warnings

import numpy as np
import pytest

from quantviz.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    audioop = pytest.importorskip("audioop")  # stdlib up to 3.12, audioop-lts after

ALL_PCM = np.arange(-32768, 32768, dtype=np.int16)
ALL_CODES = np.arange(256, dtype=np.uint8)


def ref_encode(fn, pcm):
    return np.frombuffer(fn(pcm.astype("<i2").tobytes(), 2), dtype=np.uint8)


def ref_decode(fn, codes):
    return np.frombuffer(fn(codes.astype(np.uint8).tobytes(), 2), dtype="<i2")


@pytest.mark.parametrize("encode, ref", [(ulaw_encode, audioop.lin2ulaw), (alaw_encode, audioop.lin2alaw)])
def test_encode_all_int16_matches_audioop(encode, ref):
    ours = encode(ALL_PCM)
    assert ours.dtype == np.uint8
    np.testing.assert_array_equal(ours, ref_encode(ref, ALL_PCM))


@pytest.mark.parametrize("decode, ref", [(ulaw_decode, audioop.ulaw2lin), (alaw_decode, audioop.alaw2lin)])
def test_decode_all_codes_matches_audioop(decode, ref):
    ours = decode(ALL_CODES)
    assert ours.dtype == np.int16
    np.testing.assert_array_equal(ours, ref_decode(ref, ALL_CODES))


@pytest.mark.parametrize(
    "decode, ref, code, value",
    [
        (ulaw_decode, audioop.ulaw2lin, 0xFF, 0),  # positive zero
        (ulaw_decode, audioop.ulaw2lin, 0x7F, 0),  # negative zero
        (ulaw_decode, audioop.ulaw2lin, 0x80, 32124),  # full scale
        (ulaw_decode, audioop.ulaw2lin, 0x00, -32124),
        (ulaw_decode, audioop.ulaw2lin, 0xFE, 8),  # first step of the first chord
        (ulaw_decode, audioop.ulaw2lin, 0xF0, 120),  # top of the first chord: (15 * 8 + 132) - 132
        (alaw_decode, audioop.alaw2lin, 0xD5, 8),  # smallest positive level
        (alaw_decode, audioop.alaw2lin, 0x55, -8),
        (alaw_decode, audioop.alaw2lin, 0xAA, 32256),  # full scale
        (alaw_decode, audioop.alaw2lin, 0x2A, -32256),
    ],
)
def test_famous_table_points(decode, ref, code, value):
    assert int(decode(np.array([code]))[0]) == value
    assert int(ref_decode(ref, np.array([code]))[0]) == value


@pytest.mark.parametrize(
    "encode, ref, pcm, code",
    [
        (ulaw_encode, audioop.lin2ulaw, 0, 0xFF),
        (ulaw_encode, audioop.lin2ulaw, 32767, 0x80),
        (ulaw_encode, audioop.lin2ulaw, -32768, 0x00),
        (alaw_encode, audioop.lin2alaw, 0, 0xD5),
        (alaw_encode, audioop.lin2alaw, -1, 0x55),
        (alaw_encode, audioop.lin2alaw, 32767, 0xAA),
        (alaw_encode, audioop.lin2alaw, -32768, 0x2A),
    ],
)
def test_famous_encodings(encode, ref, pcm, code):
    assert int(encode(np.array([pcm], dtype=np.int16))[0]) == code
    assert int(ref_encode(ref, np.array([pcm], dtype=np.int16))[0]) == code


@pytest.mark.parametrize("encode, decode", [(ulaw_encode, ulaw_decode), (alaw_encode, alaw_decode)])
def test_decoded_levels_are_fixed_points(encode, decode):
    levels = decode(ALL_CODES)
    np.testing.assert_array_equal(decode(encode(levels)), levels)


@pytest.mark.parametrize("encode, decode", [(ulaw_encode, ulaw_decode), (alaw_encode, alaw_decode)])
def test_codec_is_monotonic_with_bounded_error(encode, decode):
    rec = decode(encode(ALL_PCM)).astype(np.int64)
    assert np.all(np.diff(rec) >= 0)
    # Error below the largest step (1024 in the top chord of both laws), clipping included.
    assert np.max(np.abs(rec[1:-1] - ALL_PCM[1:-1].astype(np.int64))) <= 1024


def test_shapes_and_integer_dtypes_preserved():
    pcm = np.array([[0, -5, 300], [32767, -32768, 7]], dtype=np.int32)
    for encode, decode in [(ulaw_encode, ulaw_decode), (alaw_encode, alaw_decode)]:
        codes = encode(pcm)
        assert codes.shape == pcm.shape and codes.dtype == np.uint8
        out = decode(codes)
        assert out.shape == pcm.shape and out.dtype == np.int16
        np.testing.assert_array_equal(encode(pcm.ravel().tolist()), codes.ravel())


@pytest.mark.parametrize("encode", [ulaw_encode, alaw_encode])
@pytest.mark.parametrize("bad", [np.array([0.5]), np.array([True]), np.array([40000]), np.array([-32769])])
def test_encode_rejects_bad_input(encode, bad):
    with pytest.raises(ValueError, match="pcm16"):
        encode(bad)


@pytest.mark.parametrize("decode", [ulaw_decode, alaw_decode])
@pytest.mark.parametrize("bad", [np.array([1.0]), np.array([256]), np.array([-1])])
def test_decode_rejects_bad_input(decode, bad):
    with pytest.raises(ValueError, match="codes"):
        decode(bad)
