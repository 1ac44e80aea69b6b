"""Test-signal generators (vs closed forms) and ``read_signal`` on good and bad files."""

import io
import math

import numpy as np
import pytest

from quantviz import signals

FS = 8000.0


# ---------------------------------------------------------------- generators vs closed forms
def test_sine_closed_form():
    n = 1000
    t = np.arange(n) / FS
    x = signals.sine(n, FS, freq=440.0, amplitude=0.7, phase=0.3)
    np.testing.assert_allclose(x, 0.7 * np.sin(2 * math.pi * 440.0 * t + 0.3), atol=1e-12)
    assert x.dtype == np.float64 and x.shape == (n,)


def test_square_triangle_sawtooth_closed_forms():
    n = 4000
    t = np.arange(n) / FS
    f = 125.0  # 64 samples per period
    ph = (f * t) % 1.0  # phase in cycles
    # samples that land on a jump (phase 0 or ½ up to rounding) may go either way
    edge = np.minimum(np.abs(ph - np.round(ph)), np.abs(ph - 0.5)) < 1e-9
    sq = signals.square(n, FS, f, 0.5)
    np.testing.assert_allclose(sq[~edge], np.where(ph < 0.5, 0.5, -0.5)[~edge], atol=1e-12)
    assert set(np.unique(sq)) == {-0.5, 0.5}
    saw = signals.sawtooth(n, FS, f, 0.5)
    jump = np.abs(ph - np.round(ph)) < 1e-9
    np.testing.assert_allclose(saw[~jump], 0.5 * (2 * ph - 1)[~jump], atol=1e-9)
    tri = signals.triangle(n, FS, f, 0.5)
    ref = 0.5 * (1 - 4 * np.abs(((ph + 0.25) % 1.0) - 0.5))  # triangle, peak +A at ph = 0.25
    np.testing.assert_allclose(tri, ref, atol=1e-9)
    assert tri.max() == pytest.approx(0.5) and tri.min() == pytest.approx(-0.5)


def test_chirp_closed_form():
    n = 8000
    t = np.arange(n) / FS
    x = signals.chirp(n, FS, f0=20.0, f1=2000.0, amplitude=0.9)
    t1 = t[-1]
    ref = 0.9 * np.cos(2 * math.pi * (20.0 * t + 0.5 * (2000.0 - 20.0) / t1 * t**2))
    np.testing.assert_allclose(x, ref, atol=1e-8)
    # default end frequency fs/4
    np.testing.assert_allclose(signals.chirp(n, FS), signals.chirp(n, FS, f1=FS / 4))


def test_multitone_peak_and_content():
    n = 8000
    x = signals.multitone(n, FS, freqs=(500.0, 1000.0), amplitude=0.8)
    assert np.max(np.abs(x)) == pytest.approx(0.8)
    spec = np.abs(np.fft.rfft(x))
    f = np.fft.rfftfreq(n, 1 / FS)
    top2 = set(np.round(f[np.argsort(spec)[-2:]]))
    assert top2 == {500.0, 1000.0}


def test_ramp_and_decaying_sine():
    np.testing.assert_allclose(signals.ramp(5, amplitude=2.0), [-2, -1, 0, 1, 2])
    n = 8000
    x = signals.decaying_sine(n, FS, freq=250.0, amplitude=1.0, decay_db_per_s=60.0)
    t = np.arange(n) / FS
    np.testing.assert_allclose(x, 10 ** (-3 * t) * np.sin(2 * math.pi * 250 * t), atol=1e-12)


@pytest.mark.parametrize("kind,std", [("gaussian_noise", 0.25), ("laplacian_noise", 0.25),
                                      ("uniform_noise", 1 / math.sqrt(3))])
def test_noise_statistics(kind, std):
    n = 200_000
    x = signals.GENERATORS[kind](n, amplitude=1.0, seed=3)
    assert x.std() == pytest.approx(std, rel=0.02)
    assert abs(x.mean()) < 6 * std / math.sqrt(n)
    if kind == "uniform_noise":
        assert x.min() >= -1 and x.max() < 1
    # seeded: reproducible, and a different seed gives a different signal
    np.testing.assert_array_equal(x, signals.GENERATORS[kind](n, amplitude=1.0, seed=3))
    assert not np.array_equal(x, signals.GENERATORS[kind](n, amplitude=1.0, seed=4))


def test_db_to_amplitude():
    assert signals.db_to_amplitude(0.0) == 1.0
    assert signals.db_to_amplitude(-20 * math.log10(2)) == pytest.approx(0.5)
    assert signals.db_to_amplitude(-60.0) == pytest.approx(1e-3)


@pytest.mark.parametrize("kind", list(signals.GENERATORS))
def test_generate_dispatch(kind):
    x = signals.generate(kind, 1000, FS, freq=500.0, amplitude=0.5, seed=1)
    assert x.shape == (1000,) and x.dtype == np.float64
    assert np.all(np.isfinite(x))
    if kind not in ("gaussian_noise", "laplacian_noise"):
        assert np.max(np.abs(x)) <= 0.5 + 1e-12
    if kind == "sine":
        np.testing.assert_allclose(x, 0.5 * np.sin(2 * math.pi * 500 * np.arange(1000) / FS), atol=1e-12)


@pytest.mark.parametrize("call,name", [
    (lambda: signals.sine(0, FS), "n"),
    (lambda: signals.sine(signals.MAX_SAMPLES + 1, FS), "n"),
    (lambda: signals.sine(10, 0.0), "fs"),
    (lambda: signals.sine(10, float("nan")), "fs"),
    (lambda: signals.sine(10, FS, freq=-1.0), "freq"),
    (lambda: signals.sine(10, FS, freq=float("inf")), "freq"),
    (lambda: signals.multitone(10, FS, freqs=(100.0, -5.0)), "freq"),
    (lambda: signals.generate("pink", 10, FS), "kind"),
    (lambda: signals.gaussian_noise(-3), "n"),
])
def test_generator_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ---------------------------------------------------------------- read_signal
def npy_bytes(a, allow_pickle=False):
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=allow_pickle)
    return buf.getvalue()


def test_csv_with_header():
    data = b"value\n0.5\n-0.25\n1e-3\n"
    x, fs, notice = signals.read_signal(data, "sig.csv")
    np.testing.assert_array_equal(x, [0.5, -0.25, 1e-3])
    assert fs is None and notice == ""


@pytest.mark.parametrize("data", [b"0.5,9\n-0.25,8\n", b"0.5;9\r\n-0.25;8\r\n", b"\xef\xbb\xbf0.5 9\n\n-0.25\t8\n"])
def test_csv_first_column_any_separator(data):
    x, _, _ = signals.read_signal(data, "a.TXT")
    np.testing.assert_array_equal(x, [0.5, -0.25])


def test_csv_bad_line_reports_line():
    with pytest.raises(ValueError, match="line 3"):
        signals.read_signal(b"x\n1\nabc\n", "s.csv")


def test_csv_not_utf8():
    with pytest.raises(ValueError, match="UTF-8"):
        signals.read_signal(b"\xff\xfe\x00\x01\x80", "s.csv")


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.uint8, np.bool_])
def test_npy_numeric(dtype):
    a = (np.arange(10) % 3).astype(dtype)
    x, fs, notice = signals.read_signal(npy_bytes(a), "a.npy")
    np.testing.assert_array_equal(x, a.astype(np.float64))
    assert x.dtype == np.float64 and fs is None and notice == ""


def test_npy_2d_column_and_first_column():
    x, _, notice = signals.read_signal(npy_bytes(np.arange(5.0)[:, None]), "a.npy")
    np.testing.assert_array_equal(x, np.arange(5.0))
    assert notice == ""
    a = np.arange(12.0).reshape(4, 3)
    x, _, notice = signals.read_signal(npy_bytes(a), "a.npy")
    np.testing.assert_array_equal(x, a[:, 0])
    assert "first column" in notice


def test_npy_pickle_rejected():
    a = np.array([{"evil": 1}, 2.0], dtype=object)
    with pytest.raises(ValueError, match="npy"):
        signals.read_signal(npy_bytes(a, allow_pickle=True), "a.npy")


@pytest.mark.parametrize("a,match", [
    (np.array(["a", "b"]), "numeric"),
    (np.array([1 + 1j]), "numeric"),
    (np.zeros((2, 2, 2)), "shape"),
    (np.zeros(0), "no samples"),
])
def test_npy_bad_contents(a, match):
    with pytest.raises(ValueError, match=match):
        signals.read_signal(npy_bytes(a), "a.npy")


def test_npy_garbage():
    with pytest.raises(ValueError, match="npy"):
        signals.read_signal(b"definitely not numpy", "a.npy")


@pytest.mark.parametrize("data,name,match", [
    (b"", "e.csv", "empty"),
    (b"", "e.npy", "empty"),
    (b"header only\n", "h.csv", "no samples"),
    (b"1\nnan\n2\n", "n.csv", "NaN"),
    (b"1\ninf\n", "n.csv", "NaN"),
    (b"1,2,3", "s.xlsx", "unsupported"),
    (b"1,2,3", "noextension", "unsupported"),
])
def test_bad_files(data, name, match):
    with pytest.raises(ValueError, match=match):
        signals.read_signal(data, name)


def test_npy_nan_rejected():
    with pytest.raises(ValueError, match="NaN"):
        signals.read_signal(npy_bytes(np.array([0.0, np.nan, np.inf])), "a.npy")


def test_huge_file_rejected_before_parsing():
    data = b"1\n" * (signals.MAX_UPLOAD_BYTES // 2 + 1)
    assert len(data) > signals.MAX_UPLOAD_BYTES
    with pytest.raises(ValueError, match="MB"):
        signals.read_signal(data, "big.csv")


def test_long_signal_trimmed_with_notice():
    a = np.arange(1000.0)
    x, _, notice = signals.read_signal(npy_bytes(a), "a.npy", max_samples=100)
    np.testing.assert_array_equal(x, a[:100])
    assert "Trimmed" in notice and "100" in notice
