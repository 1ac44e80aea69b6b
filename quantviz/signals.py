"""Test-signal generators.

Every generator returns a float64 array of ``n`` samples at sample rate
``fs``; periodic ones take an ``amplitude`` (peak, full scale = 1) and a
frequency in Hz. :func:`generate` dispatches by name for the pages.
"""

import numpy as np
from scipy import signal as sps

MAX_SAMPLES = 20_000_000


def _t(n: int, fs: float) -> np.ndarray:
    n = int(n)
    if not 1 <= n <= MAX_SAMPLES:
        raise ValueError(f"n must be between 1 and {MAX_SAMPLES:,} samples; got {n}")
    if not np.isfinite(fs) or fs <= 0:
        raise ValueError(f"fs must be a positive sample rate in Hz; got {fs!r}")
    return np.arange(n) / float(fs)


def _check_freq(freq, fs):
    if not np.all(np.isfinite(freq)) or np.any(np.asarray(freq) < 0):
        raise ValueError(f"freq must be finite and ≥ 0 Hz; got {freq!r}")


def db_to_amplitude(level_dbfs: float) -> float:
    """Peak amplitude of a level in dBFS: A = 10^(L/20)."""
    return float(10 ** (level_dbfs / 20))


def sine(n, fs, freq=1000.0, amplitude=1.0, phase=0.0):
    """A sin(2π f t + φ)."""
    _check_freq(freq, fs)
    return amplitude * np.sin(2 * np.pi * freq * _t(n, fs) + phase)


def multitone(n, fs, freqs=(440.0, 1000.0, 3150.0), amplitude=1.0):
    """Sum of equal sines at ``freqs`` with fixed pseudo-random phases, scaled to peak ``amplitude``."""
    _check_freq(freqs, fs)
    t = _t(n, fs)
    phases = np.random.default_rng(1).uniform(0, 2 * np.pi, len(freqs))
    x = sum(np.sin(2 * np.pi * f * t + p) for f, p in zip(freqs, phases))
    peak = np.max(np.abs(x))
    return amplitude * x / peak if peak > 0 else x


def chirp(n, fs, f0=20.0, f1=None, amplitude=1.0):
    """Linear sweep from f0 to f1 (default fs/4) over the whole length."""
    t = _t(n, fs)
    f1 = fs / 4 if f1 is None else f1
    _check_freq([f0, f1], fs)
    return amplitude * sps.chirp(t, f0=f0, t1=max(t[-1], 1 / fs), f1=f1, method="linear")


def square(n, fs, freq=1000.0, amplitude=1.0):
    """±A square wave (naive, so it aliases like a sampled square does)."""
    _check_freq(freq, fs)
    return amplitude * sps.square(2 * np.pi * freq * _t(n, fs))


def triangle(n, fs, freq=1000.0, amplitude=1.0):
    """Triangle wave between −A and A."""
    _check_freq(freq, fs)
    return amplitude * sps.sawtooth(2 * np.pi * freq * _t(n, fs) + np.pi / 2, width=0.5)


def sawtooth(n, fs, freq=1000.0, amplitude=1.0):
    """Rising sawtooth between −A and A."""
    _check_freq(freq, fs)
    return amplitude * sps.sawtooth(2 * np.pi * freq * _t(n, fs))


def ramp(n, fs=1.0, amplitude=1.0):
    """Straight line from −A to A: the input that traces the staircase."""
    _t(n, fs)
    return amplitude * np.linspace(-1.0, 1.0, int(n))


def decaying_sine(n, fs, freq=440.0, amplitude=1.0, decay_db_per_s=60.0):
    """A sine whose envelope falls by ``decay_db_per_s`` dB each second."""
    _check_freq(freq, fs)
    t = _t(n, fs)
    return amplitude * 10 ** (-decay_db_per_s * t / 20) * np.sin(2 * np.pi * freq * t)


def gaussian_noise(n, fs=1.0, amplitude=1.0, seed=0):
    """White Gaussian noise with standard deviation ``amplitude``/4 (peaks rarely clip)."""
    _t(n, fs)
    return np.random.default_rng(seed).normal(0.0, amplitude / 4, int(n))


def laplacian_noise(n, fs=1.0, amplitude=1.0, seed=0):
    """White Laplacian noise with standard deviation ``amplitude``/4 (speech-like amplitudes)."""
    _t(n, fs)
    return np.random.default_rng(seed).laplace(0.0, amplitude / 4 / np.sqrt(2), int(n))


def uniform_noise(n, fs=1.0, amplitude=1.0, seed=0):
    """White noise uniform on [−A, A)."""
    _t(n, fs)
    return np.random.default_rng(seed).uniform(-amplitude, amplitude, int(n))


GENERATORS = {
    "sine": sine,
    "multitone": multitone,
    "chirp": chirp,
    "square": square,
    "triangle": triangle,
    "sawtooth": sawtooth,
    "ramp": ramp,
    "decaying_sine": decaying_sine,
    "gaussian_noise": gaussian_noise,
    "laplacian_noise": laplacian_noise,
    "uniform_noise": uniform_noise,
}
PERIODIC = {"sine", "square", "triangle", "sawtooth", "decaying_sine"}


def generate(kind: str, n: int, fs: float, freq: float = 1000.0, amplitude: float = 1.0, seed: int = 0):
    """Generate a named test signal; ``freq`` is used by the periodic kinds
    (and as the chirp's end frequency), ``seed`` by the noises."""
    if kind not in GENERATORS:
        raise ValueError(f"kind must be one of {', '.join(GENERATORS)}; got {kind!r}")
    fn = GENERATORS[kind]
    if kind in PERIODIC:
        return fn(n, fs, freq=freq, amplitude=amplitude)
    if kind == "chirp":
        return fn(n, fs, f0=20.0, f1=freq, amplitude=amplitude)
    if kind.endswith("noise"):
        return fn(n, fs, amplitude=amplitude, seed=seed)
    if kind == "multitone":
        return fn(n, fs, freqs=(freq / 4, freq, 2.5 * freq), amplitude=amplitude)
    return fn(n, fs, amplitude=amplitude)


MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UPLOAD_SAMPLES = 2_000_000


def read_signal(data: bytes, filename: str, max_samples: int = MAX_UPLOAD_SAMPLES):
    """Read a 1-D signal from CSV, NPY or audio bytes.

    Parameters
    ----------
    data : bytes
        The file's contents.
    filename : str
        Used for its extension: ``.csv``/``.txt`` (one numeric column, or the
        first numeric column; comma, semicolon or whitespace separated; a
        header line is skipped), ``.npy`` (a 1-D numeric array, or one column
        of a 2-D one; no pickles), or ``.wav``/``.flac``/``.ogg``/``.mp3``
        (mixed down to mono).
    max_samples : int
        Longer signals are cut to their first ``max_samples`` samples.

    Returns
    -------
    (x, sample_rate or None, notice)
        ``notice`` is '' or a sentence for the user (e.g. that it was trimmed).

    Raises
    ------
    ValueError
        With a message for the user when the file cannot be used.
    """
    import io

    name = filename.lower()
    if not data:
        raise ValueError(f"{filename} is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(f"{filename} is {len(data) / 2**20:.0f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB.")
    fs = None
    notes = []
    if name.endswith((".wav", ".flac", ".ogg", ".mp3")):
        from quantviz.audio_io import read_audio

        clip = read_audio(data, name=filename, max_seconds=max_samples / 8000)
        x, fs = clip.samples[0], clip.sample_rate
        if clip.notice:
            notes.append(clip.notice)
    elif name.endswith(".npy"):
        try:
            x = np.load(io.BytesIO(data), allow_pickle=False)
        except Exception as exc:  # numpy raises several types for bad files
            raise ValueError(f"{filename} is not a readable .npy array ({type(exc).__name__}).") from None
        if x.dtype.kind not in "biuf":
            raise ValueError(f"{filename} holds {x.dtype} data; a numeric array is needed.")
        if x.ndim == 2 and 1 in x.shape:
            x = x.ravel()
        elif x.ndim == 2:
            notes.append(f"The array has shape {x.shape}; using its first column.")
            x = x[:, 0]
        elif x.ndim != 1:
            raise ValueError(f"{filename} has shape {x.shape}; a 1-D signal (or one column) is needed.")
    elif name.endswith((".csv", ".txt")):
        x = _read_csv(data, filename)
    else:
        raise ValueError(f"{filename}: unsupported file type. Use .csv, .npy, .wav, .flac, .ogg or .mp3.")
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        raise ValueError(f"{filename} contains no samples.")
    if x.size > max_samples:
        notes.append(f"Trimmed to the first {max_samples:,} of {x.size:,} samples.")
        x = x[:max_samples]
    bad = x.size - np.count_nonzero(np.isfinite(x))
    if bad:
        raise ValueError(f"{filename} contains {bad:,} NaN or infinite value(s); every sample must be a finite number.")
    return x, fs, " ".join(notes)


def _read_csv(data: bytes, filename: str) -> np.ndarray:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{filename} is not a UTF-8 text file, so it cannot be read as CSV.") from None
    rows = [r for r in text.replace(";", ",").splitlines() if r.strip()]
    values = []
    for i, row in enumerate(rows):
        cells = [c for c in row.replace(",", " ").split()]
        try:
            values.append(float(cells[0]))
        except (ValueError, IndexError):
            if i == 0:
                continue  # a header line
            raise ValueError(f"{filename}, line {i + 1}: {row[:40]!r} is not a number.") from None
    return np.array(values)
