"""Make the built-in clips in ``assets/audio/`` (deterministic, offline).

Run from the repository root::

    .venv/bin/python assets/make_audio.py

Every clip is mono, 48 kHz, stored as FLAC with 24-bit samples (rounding
error near -150 dBFS, far below any quantizer the app demonstrates).  Four
clips are pure NumPy synthesis with fixed parameters; ``speech`` runs the
system's ``espeak-ng`` (1.51 when the committed file was made) and
resamples its 22 050 Hz output to 48 kHz with ``scipy.signal.resample_poly``
so that all clips share one rate.  Nothing is downloaded.

The script deliberately does not import ``quantviz``: the assets must not
change when the library does.  ``assets/CREDITS.md`` documents each clip.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

RATE = 48_000
OUT_DIR = Path(__file__).resolve().parent / "audio"
SPEECH_TEXT = (
    "Quantization rounds every sample to the nearest level. "
    "With fewer bits, the error becomes a noise you can hear."
)


def db_to_amplitude(db: float) -> float:
    """Amplitude of a peak at ``db`` dBFS."""
    return 10.0 ** (db / 20.0)


def time_axis(seconds: float) -> np.ndarray:
    """Sample times of a clip ``seconds`` long at :data:`RATE`."""
    return np.arange(round(seconds * RATE)) / RATE


def fades(y: np.ndarray, fade_in_s: float, fade_out_s: float) -> np.ndarray:
    """Apply raised-cosine fade-in and fade-out (clicks would be heard)."""
    y = y.copy()
    for n, side in ((round(fade_in_s * RATE), slice(None)), (round(fade_out_s * RATE), slice(None, None, -1))):
        ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(n) / n)
        y[side][:n] *= ramp
    return y


def peak_to(y: np.ndarray, db: float) -> np.ndarray:
    """Scale so that the peak is exactly ``db`` dBFS."""
    return y * (db_to_amplitude(db) / np.max(np.abs(y)))


def piano(seconds: float = 6.0, f0: float = 220.0, peak_db: float = -6.0) -> np.ndarray:
    """A3 piano-like note: 24 inharmonic partials, each a detuned pair of
    "strings" (the second 0.15 Hz sharp, half as loud) with a fast and a slow
    exponential decay, upper partials dying sooner.  The fundamental's slow
    decay (tau = 0.9 s) takes the tail from -6 dBFS to about -70 dBFS by the
    end."""
    t = time_axis(seconds)
    inharmonicity = 4e-4
    y = np.zeros_like(t)
    for n in range(1, 25):
        f = n * f0 * np.sqrt(1.0 + inharmonicity * n * n)
        amp = n ** -1.1 * np.exp(-((n - 1) / 10.0) ** 2)  # hammer softens high partials
        fast, slow = 0.4 / n**0.5, 0.9 / n**0.7
        envelope = 0.6 * np.exp(-t / fast) + 0.4 * np.exp(-t / slow)
        strings = np.sin(2 * np.pi * f * t) + 0.5 * np.sin(2 * np.pi * (f + 0.15) * t + 0.3)
        y += amp * envelope * strings
    return peak_to(fades(y, 0.002, 0.05), peak_db)


def chords(seconds: float = 8.0, peak_db: float = -6.0) -> np.ndarray:
    """I-vi-IV-V in C (C, Am, F, G), 2 s each: root-position triads plus the
    root an octave below, each tone six harmonics with a 60 ms raised-cosine
    attack, a gentle decay and a 0.3 s release into the next chord."""
    t = time_axis(seconds)
    a4 = 440.0
    # semitones from A4
    progression = ([-9, -5, -2, -21], [-12, -9, -5, -24], [-16, -12, -9, -28], [-14, -10, -7, -26])
    chord_s, attack_s, release_s = 2.0, 0.06, 0.3
    y = np.zeros_like(t)
    for i, chord in enumerate(progression):
        start = i * chord_s
        local = t - start
        on = (local >= 0) & (local < chord_s + release_s)
        env = np.exp(-np.clip(local, 0, None) / 1.8)
        env *= np.where(local < attack_s, 0.5 - 0.5 * np.cos(np.pi * np.clip(local, 0, None) / attack_s), 1.0)
        tail = np.clip((local - chord_s) / release_s, 0, 1)
        env *= 0.5 + 0.5 * np.cos(np.pi * tail)
        for semitone in chord:
            f = a4 * 2.0 ** (semitone / 12)
            for h in range(1, 7):
                y[on] += env[on] * h ** -1.6 * np.sin(2 * np.pi * h * f * local[on])
    return peak_to(fades(y, 0.0, release_s), peak_db)


def sweep(seconds: float = 6.0, f1: float = 20.0, f2: float = 20_000.0, peak_db: float = -6.0) -> np.ndarray:
    """Exponential (log) sine sweep f1 -> f2 with 20 ms fades."""
    t = time_axis(seconds)
    k = np.log(f2 / f1) / seconds
    phase = 2 * np.pi * f1 * (np.exp(k * t) - 1.0) / k
    return db_to_amplitude(peak_db) * fades(np.sin(phase), 0.02, 0.02)


def tone60(seconds: float = 5.0, f: float = 1000.0, peak_db: float = -60.0) -> np.ndarray:
    """Pure 1 kHz sine, peak -60 dBFS, 20 ms fades.  At 48 kHz one period is
    48 samples and sample 12 lands on the crest, so the peak is exact."""
    t = time_axis(seconds)
    return db_to_amplitude(peak_db) * fades(np.sin(2 * np.pi * f * t), 0.02, 0.02)


def speech(text: str = SPEECH_TEXT, peak_db: float = -3.0) -> np.ndarray:
    """``espeak-ng -v en-us -s 150 -w out.wav TEXT``, resampled 22 050 -> 48 000 Hz
    (ratio 320/147), silence at the ends trimmed to 0.1 s, peak set to
    -3 dBFS, 10 ms fades."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise SystemExit("espeak-ng is needed for the speech clip (Debian: apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run([exe, "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
        y, rate = sf.read(wav, dtype="float64")
    if rate != 22_050:
        raise SystemExit(f"expected espeak-ng to write 22050 Hz, got {rate} Hz")
    y = trim_silence(resample_poly(y, 320, 147))
    return peak_to(fades(y, 0.01, 0.01), peak_db)


def trim_silence(y: np.ndarray, threshold_db: float = -50.0, margin_s: float = 0.1) -> np.ndarray:
    """Drop leading/trailing samples quieter than ``threshold_db`` re the peak,
    keeping ``margin_s`` of silence at each end."""
    loud = np.flatnonzero(np.abs(y) > np.max(np.abs(y)) * db_to_amplitude(threshold_db))
    margin = round(margin_s * RATE)
    return y[max(loud[0] - margin, 0) : loud[-1] + margin + 1]


CLIP_MAKERS = {"piano": piano, "chords": chords, "sweep": sweep, "tone60": tone60, "speech": speech}


def write_flac24(path: Path, y: np.ndarray) -> None:
    """Round to 24 bits ourselves and hand libsndfile left-aligned int32
    (its own float->int scaling is not trusted), FLAC PCM_24."""
    full = 2.0**23
    ints = np.clip(np.round(y * full), -full, full - 1).astype(np.int32) << 8
    sf.write(path, ints, RATE, format="FLAC", subtype="PCM_24")


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for key, make in CLIP_MAKERS.items():
        path = OUT_DIR / f"{key}.flac"
        y = make()
        write_flac24(path, y)
        peak = 20 * np.log10(np.max(np.abs(y)))
        print(f"{path.name}: {len(y) / RATE:.3f} s, peak {peak:.2f} dBFS, {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
