"""Engine speed, as ratios against references measured in the same run (medians of repeats).

- quantize 10M float32 samples vs a NumPy copy of them (budget ≤ 3×, issue #2);
- 2nd-order noise-shaped 16-bit requantization of 60 s stereo 48 kHz vs plain 16-bit (budget ≤ 4×, issue #4).
Run: .venv/bin/python bench/bench_quantize.py
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import quantviz as qv  # noqa: E402
from timing import median_ms  # noqa: E402


def main():
    rng = np.random.default_rng(0)
    x = (0.3 * rng.standard_normal(10_000_000)).astype(np.float32)
    spec = qv.QuantizerSpec(bits=8)
    t_copy = median_ms(lambda: x.copy())
    t_q = median_ms(lambda: qv.quantize(x, spec))
    t_round = median_ms(lambda: np.clip(np.floor(x * 128 + 0.5), -128, 127) / 128)
    print("## quantize, 10M float32 samples, 8 bits")
    print(f"np.copy            {t_copy:8.1f} ms   1.00×")
    print(f"quantviz.quantize  {t_q:8.1f} ms   {t_q / t_copy:.2f}×  (budget ≤ 3×) {'OK' if t_q / t_copy <= 3 else 'OVER'}")
    print(f"numpy round+clip   {t_round:8.1f} ms   {t_round / t_copy:.2f}×  (for context)")

    audio = (0.25 * rng.standard_normal((2, 60 * 48_000))).astype(np.float64)
    plain = qv.QuantizerSpec(bits=16)
    shaped = qv.QuantizerSpec(bits=16, dither="tpdf", noise_shaping=2)
    shaped_nodither = qv.QuantizerSpec(bits=16, noise_shaping=2)
    t_plain = median_ms(lambda: qv.quantize(audio, plain), 5)
    t_shaped = median_ms(lambda: qv.quantize(audio, shaped_nodither), 5)
    t_shaped_d = median_ms(lambda: qv.quantize(audio, shaped), 5)
    print("\n## 16-bit requantization, 60 s stereo 48 kHz")
    print(f"plain 16-bit                 {t_plain:8.1f} ms   1.00×")
    r = t_shaped / t_plain
    print(f"noise shaping k=2            {t_shaped:8.1f} ms   {r:.2f}×  (budget ≤ 4×) {'OK' if r <= 4 else 'OVER'}")
    print(f"noise shaping k=2 + TPDF     {t_shaped_d:8.1f} ms   {t_shaped_d / t_plain:.2f}×  (dither generation included)")

    qv.set_threads(1)  # as the app runs them (quantviz.app.ui): the sessions are the parallelism
    t_plain1 = median_ms(lambda: qv.quantize(audio, plain), 5)
    t_shaped1 = median_ms(lambda: qv.quantize(audio, shaped_nodither), 5)
    r1 = t_shaped1 / t_plain1
    print("\n## the same on one thread (quantviz.set_threads(1), the app's setting)")
    print(f"plain 16-bit                 {t_plain1:8.1f} ms   1.00×")
    print(f"noise shaping k=2            {t_shaped1:8.1f} ms   {r1:.2f}×  (budget ≤ 4×) {'OK' if r1 <= 4 else 'OVER'}")
    qv.set_threads(2)


if __name__ == "__main__":
    main()
