"""Benchmark of the non-uniform quantization engine (G.711, companding, Lloyd-Max, k-means).

Run: ``.venv/bin/python bench/bench_nonuniform.py``.  Every timing is the median
of several repeats after one warm-up call, printed in ms and as a ratio to a
reference operation timed in the same run, so the ratios are comparable
across machines.  The budget checked at the end is the brief's "256-level
Lloyd-Max design in < 100 ms".
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
from scipy.cluster.vq import kmeans2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quantviz.companding import companded_quantize  # noqa: E402
from quantviz.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode  # noqa: E402
from quantviz.lloyd_max import lloyd_max  # noqa: E402
from quantviz.quantizers import QuantizerSpec, quantize  # noqa: E402
from quantviz.vq import kmeans_vq  # noqa: E402
from timing import median_ms  # noqa: E402

LLOYD_MAX_BUDGET_MS = 100.0
KM_REF = "scipy kmeans2(5k x 2, k=16, ++)"
KM1_REF = "scipy kmeans2(4,096 x 1, k=256, ++)"


def main() -> None:
    rng = np.random.default_rng(0)
    pcm = np.arange(-32768, 32768, dtype=np.int16)
    codes = rng.integers(0, 256, 65536).astype(np.uint8)
    x1m = rng.standard_normal(1_000_000)
    speech = np.clip(0.1 * rng.laplace(size=1_000_000), -1, 1)
    pts = rng.standard_normal((5000, 2))
    scalars = rng.laplace(size=4096)
    spec = QuantizerSpec(bits=8)

    refs = {
        "np.copy(65,536 int16)": median_ms(lambda: np.copy(pcm), 200),
        "np.sort(1M float64)": median_ms(lambda: np.sort(x1m), 7),
        "quantize(1M, 8 bit)": median_ms(lambda: quantize(speech, spec), 7),
        KM_REF: median_ms(lambda: kmeans2(pts, 16, minit="++", seed=0, iter=300), 5),
        KM1_REF: median_ms(lambda: kmeans2(scalars, 256, minit="++", seed=0, iter=300), 3),
    }
    cases = [
        ("G.711 mu-law encode 65,536", lambda: ulaw_encode(pcm), "np.copy(65,536 int16)", 200),
        ("G.711 A-law encode 65,536", lambda: alaw_encode(pcm), "np.copy(65,536 int16)", 200),
        ("G.711 mu-law decode 65,536", lambda: ulaw_decode(codes), "np.copy(65,536 int16)", 200),
        ("G.711 A-law decode 65,536", lambda: alaw_decode(codes), "np.copy(65,536 int16)", 200),
        ("Lloyd-Max 256 levels gaussian", lambda: lloyd_max(256, "gaussian"), "np.sort(1M float64)", 15),
        ("Lloyd-Max 256 levels laplacian", lambda: lloyd_max(256, "laplacian"), "np.sort(1M float64)", 15),
        ("Lloyd-Max 4096 levels gaussian", lambda: lloyd_max(4096, "gaussian"), "np.sort(1M float64)", 7),
        ("Lloyd-Max 256 levels, 1M samples", lambda: lloyd_max(256, samples=x1m), "np.sort(1M float64)", 5),
        ("companded_quantize mu 1M, 8 bit", lambda: companded_quantize(speech, spec), "quantize(1M, 8 bit)", 7),
        ("kmeans_vq(5k x 2, k=16, n_init=1)", lambda: kmeans_vq(pts, 16, n_init=1), KM_REF, 5),
        ("kmeans_vq(5k x 2, k=16), default", lambda: kmeans_vq(pts, 16), KM_REF, 5),
        # the Non-uniform page's bits slider at 8 bits: 256 codes on 4,096 training samples
        ("kmeans_vq(4,096 scalars, k=256, n_init=1)", lambda: kmeans_vq(scalars, 256, n_init=1), KM1_REF, 5),
    ]

    print(f"{'operation':42s} {'ms':>9s} {'ratio':>8s}  reference")
    for name, ms in refs.items():
        print(f"{name:42s} {ms:9.3f} {1.0:8.3g}  (reference)")
    results = {}
    for name, fn, ref, repeats in cases:
        ms = median_ms(fn, repeats)
        results[name] = ms
        print(f"{name:42s} {ms:9.3f} {ms / refs[ref]:8.3g}  x {ref}")

    worst = max(results["Lloyd-Max 256 levels gaussian"], results["Lloyd-Max 256 levels laplacian"])
    verdict = "OK" if worst < LLOYD_MAX_BUDGET_MS else "OVER BUDGET"
    print(f"\nLloyd-Max 256 levels: {worst:.2f} ms vs budget {LLOYD_MAX_BUDGET_MS:.0f} ms -> {verdict}")


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        main()
