"""Audio page: slider → updated time vs the trivial page, and WebSocket bytes per move.

Budgets (Audio issue): within 1.5× of the trivial page for a ~10 s clip, within 2× for a 60 s
stereo upload; ≤ 300 KiB over the WebSocket per interaction. The excerpt WAVs are fetched over
HTTP (st.audio media URLs), so they are not in the WebSocket bytes.

Scenarios (each measured against the trivial page in the same run, medians of 11 moves):
  1. built-in clip "chords" (8 s, mono), bits slider 20 → 9;
  2. a generated 10 s mono 48 kHz upload, bits slider 15 → 4 (the file is 16-bit: ≥ 16 bits is lossless);
  3. a generated 60 s stereo 48 kHz upload (noise + tones, 16-bit WAV, 11.5 MB), bits slider 15 → 4.
Run: .venv/bin/python bench/bench_audio_page.py [1 2 3]
"""

import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from pagebench import ROOT, report, run_pair


MOVES = 11
DROPZONE = "[data-testid='stFileUploaderDropzoneInput']"


def make_wav(path: Path, seconds: float, channels: int, fs: int = 48_000) -> Path:
    """Noise at −30 dBFS plus a few tones (different per channel), 16-bit PCM."""
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * fs)) / fs
    chans = []
    for c in range(channels):
        tones = sum(0.2 / (k + 1) * np.sin(2 * np.pi * f * (1 + 0.01 * c) * t)
                    for k, f in enumerate((220.0, 997.0, 3150.0)))
        env = 0.55 + 0.45 * np.sin(2 * np.pi * 0.1 * t + c)  # loud and quiet passages
        chans.append(env * tones + 0.03 * rng.standard_normal(t.size))
    sf.write(path, np.clip(np.stack(chans, axis=1), -1, 1), fs, subtype="PCM_16")
    return path


def run_upload_pair(wav: Path, moves: int = MOVES):
    """Like pagebench.run_pair, but the Audio page gets its input through the upload widget (a new upload,
    hence new analyses, every round)."""
    return run_pair(str(ROOT / "app.py"), "/Audio?input=upload&bits=15", "Bits b", "SNR (dB)", moves,
                    prepare=lambda page: page.locator(DROPZONE).set_input_files(str(wav), timeout=120_000))


if __name__ == "__main__":
    which = set(sys.argv[1:]) or {"1", "2", "3"}
    ratios = {}
    if "1" in which:
        paths = [f"/Audio?clip=chords&bits=20&gain_db={g}" for g in (0, -1, -2)]  # new settings every round
        trivial, target = run_pair(str(ROOT / "app.py"), paths, "Bits b", "SNR (dB)", moves=MOVES)
        ratios["chords 8 s"] = report("Audio page, built-in 8 s clip (chords), bits slider", trivial, target, 1.5)
    with tempfile.TemporaryDirectory() as tmp:
        if "2" in which:
            wav = make_wav(Path(tmp) / "mono10.wav", 10, 1)
            trivial, target = run_upload_pair(wav)
            ratios["upload 10 s mono"] = report("Audio page, 10 s mono 48 kHz upload, bits slider", trivial, target,
                                                1.5)
        if "3" in which:
            wav = make_wav(Path(tmp) / "stereo60.wav", 60, 2)
            trivial, target = run_upload_pair(wav)
            ratios["upload 60 s stereo"] = report("Audio page, 60 s stereo 48 kHz upload (11.5 MB), bits slider",
                                                  trivial, target, 2.0)
    print("\n" + "; ".join(f"{k}: {v:.2f}×" for k, v in ratios.items()))
