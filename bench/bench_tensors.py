"""Weights engine speed, as ratios against references measured in the same run (medians).

- quantize_format(w, "q4_0") on a 4096×4096 float32 tensor against llama.cpp's own NumPy
  quantizer (gguf.quants, quantize + dequantize, since quantize_format returns the values),
  the same work: budget ≤ 1.5×;
- for context: quantize_tensor INT8 per-channel and INT4 per-group, NF4 and MXFP4 on the same
  tensor, and the digits model's accuracy sweep (bits 8 → 2 × tensor/channel/group) that the
  page caches (budget < 1 s).
Run: .venv/bin/python bench/bench_tensors.py
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import quantviz as qv  # noqa: E402
from quantviz import nn  # noqa: E402
from timing import median_ms  # noqa: E402


def main():
    from gguf import GGMLQuantizationType as T
    from gguf import quants

    w = np.random.default_rng(0).standard_normal((4096, 4096)).astype(np.float32)
    t_ref = median_ms(lambda: quants.dequantize(quants.quantize(w, T.Q4_0), T.Q4_0), 5)
    t_q = median_ms(lambda: qv.quantize_format(w, "q4_0"), 5)
    assert np.array_equal(qv.quantize_format(w, "q4_0").values, quants.dequantize(quants.quantize(w, T.Q4_0), T.Q4_0))
    r = t_q / t_ref
    print("## q4_0 on a 4096×4096 float32 tensor (bit-identical values)")
    print(f"gguf.quants quantize+dequantize  {t_ref:8.1f} ms   1.00×")
    print(f"quantviz.quantize_format         {t_q:8.1f} ms   {r:.2f}×  (budget ≤ 1.5×) {'OK' if r <= 1.5 else 'OVER'}")
    for label, fn in [
        ("quantize_tensor INT8 per-channel", lambda: qv.quantize_tensor(w, 8, granularity="channel")),
        ("quantize_tensor INT4 group 128", lambda: qv.quantize_tensor(w, 4, granularity="group", axis=-1)),
        ("quantize_format nf4", lambda: qv.quantize_format(w, "nf4")),
        ("quantize_format mxfp4", lambda: qv.quantize_format(w, "mxfp4")),
    ]:
        t = median_ms(fn, 3)
        print(f"{label:32s} {t:8.1f} ms   {t / t_ref:.2f}×  (context)")

    model = nn.load_digits_model()

    def sweep():
        out = {}
        for bits in range(8, 1, -1):
            for gran, kw in (("tensor", {}), ("channel", {"axis": 0}), ("group", {"axis": -1, "group_size": 32})):
                m = nn.quantize_weights(model.mlp, lambda a: qv.quantize_tensor(a, bits, granularity=gran, **kw))
                out[bits, gran] = nn.accuracy(m, model.x_test, model.y_test)
        return out

    t0 = time.perf_counter()
    sweep()
    t = (time.perf_counter() - t0) * 1e3
    print("\n## digits MLP: accuracy vs bits sweep (7 widths × 3 granularities, 540 test images)")
    print(f"sweep  {t:8.1f} ms  (budget < 1000 ms) {'OK' if t < 1000 else 'OVER'}")


if __name__ == "__main__":
    main()
