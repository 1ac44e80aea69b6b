"""quantviz: a small library for studying quantization error.

Import it from a notebook exactly as the app does::

    import quantviz as qv
    r = qv.quantize(x, qv.QuantizerSpec(bits=4))
    r.values, r.codes, r.error, r.step

``quantviz.lloyd_max`` is the design function (the issue's public API); its
helpers are exported here too (``apply_codebook``, ``panter_dite_mse``).

The core never imports Streamlit; ``quantviz.app.ui`` (the only module that does)
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
from quantviz.companding import compressor, expander
from quantviz.lloyd_max import lloyd_max, LloydMaxResult, apply_codebook, panter_dite_mse
from quantviz.vq import kmeans_vq, nearest_code
from quantviz import metrics, theory, signals, g711, spectral
from quantviz._kernels import get_threads, set_threads

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
    "compressor",
    "expander",
    "lloyd_max",
    "LloydMaxResult",
    "apply_codebook",
    "panter_dite_mse",
    "kmeans_vq",
    "nearest_code",
    "metrics",
    "theory",
    "signals",
    "g711",
    "spectral",
    "set_threads",
    "get_threads",
]

# Images (issue #13): dithering, JPEG's quantizer, palettes, safe image loading.
from quantviz.image_dither import error_diffusion, ordered_dither, blue_noise_mask, bayer_matrix
from quantviz.jpeg import jpeg_quantize, JpegResult
from quantviz import image_dither, image_quant, image_metrics, images_io, jpeg

__all__ += [
    "error_diffusion",
    "ordered_dither",
    "blue_noise_mask",
    "bayer_matrix",
    "jpeg_quantize",
    "JpegResult",
    "image_dither",
    "image_quant",
    "images_io",
    "image_metrics",
    "jpeg",
]

# Neural-network weights (issue 14): integer and block/float storage formats, the digits MLP, tensor files.
from quantviz.tensors import (
    QuantizedTensor,
    quantize_tensor,
    synthetic_tensor,
    error_stats,
    gaussian_rate_distortion,
    ecsq_mse,
    ecsq_gaussian,
)
from quantviz.formats import NF4_CODEBOOK, FORMATS, FormatResult, cast_float, quantize_format
from quantviz.tensor_io import TensorFileError, load_tensors
from quantviz import tensors, formats, nn, tensor_io
from quantviz.formats import accumulate, quantize_nf4_blocks
from quantviz.outliers import llm_int8_matmul, smoothquant_matmul
from quantviz import outliers

__all__ += [
    "QuantizedTensor",
    "quantize_tensor",
    "synthetic_tensor",
    "error_stats",
    "gaussian_rate_distortion",
    "ecsq_mse",
    "ecsq_gaussian",
    "NF4_CODEBOOK",
    "FORMATS",
    "FormatResult",
    "cast_float",
    "quantize_format",
    "TensorFileError",
    "load_tensors",
    "tensors",
    "formats",
    "nn",
    "tensor_io",
    "accumulate",
    "quantize_nf4_blocks",
    "llm_int8_matmul",
    "smoothquant_matmul",
    "outliers",
]

# Learning (issue #15): worked examples with their arithmetic as data, and number formats (fixed point, small floats).
from quantviz import worked, numformats
from quantviz.numformats import fixed_value, float_value

__all__ += ["worked", "numformats", "fixed_value", "float_value"]
