"""quantviz: a small library for studying quantization error.

Import it from a notebook exactly as the app does::

    import quantviz as qv
    r = qv.quantize(x, qv.QuantizerSpec(bits=4))
    r.values, r.codes, r.error, r.step

The core never imports Streamlit; ``quantviz.ui`` (the only module that does)
is imported by the pages alone.
"""

from quantviz.quantizers import QuantizerSpec, QuantizationResult, quantize, levels, step_size
from quantviz.companding import (
    mu_law_compress,
    mu_law_expand,
    a_law_compress,
    a_law_expand,
    companded_quantize,
)
from quantviz.lloyd_max import lloyd_max, LloydMaxResult
from quantviz.vq import kmeans_vq
from quantviz import metrics, theory, signals, g711, spectral

__all__ = [
    "QuantizerSpec",
    "QuantizationResult",
    "quantize",
    "levels",
    "step_size",
    "mu_law_compress",
    "mu_law_expand",
    "a_law_compress",
    "a_law_expand",
    "companded_quantize",
    "lloyd_max",
    "LloydMaxResult",
    "kmeans_vq",
    "metrics",
    "theory",
    "signals",
    "g711",
    "spectral",
]
