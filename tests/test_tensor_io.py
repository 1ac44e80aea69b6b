"""Tests for quantviz.tensor_io.load_tensors.

Files are written by the reference writers (NumPy's np.save/np.savez,
safetensors' own numpy.save) or built byte by byte from the safetensors
format description (8-byte little-endian header length, JSON header, data).
"""

import io
import json
import struct

import ml_dtypes
import numpy as np
import pytest
from safetensors.numpy import save as st_save

from quantviz.tensor_io import TensorFileError, load_tensors


def _npy(a):
    b = io.BytesIO()
    np.save(b, a, allow_pickle=True)
    return b.getvalue()


def _npz(**arrays):
    b = io.BytesIO()
    np.savez_compressed(b, **arrays)
    return b.getvalue()


def _st_raw(tensors):
    """safetensors bytes by hand: {name: (dtype string, shape, raw bytes)}."""
    header, data, off = {}, b"", 0
    for name, (dt, shape, raw) in tensors.items():
        header[name] = {"dtype": dt, "shape": list(shape), "data_offsets": [off, off + len(raw)]}
        data += raw
        off += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((-len(h)) % 8)
    return struct.pack("<Q", len(h)) + h + data


def test_npy_roundtrip(tmp_path):
    a = np.random.default_rng(0).standard_normal((3, 4))
    out = load_tensors(_npy(a))
    assert list(out) == ["array"] and out["array"].dtype == np.float32
    np.testing.assert_array_equal(out["array"], a.astype(np.float32))
    p = tmp_path / "w.npy"
    p.write_bytes(_npy(a))
    np.testing.assert_array_equal(load_tensors(p)["array"], a.astype(np.float32))
    np.testing.assert_array_equal(load_tensors(io.BytesIO(_npy(a)))["array"], a.astype(np.float32))


def test_npz_roundtrip():
    out = load_tensors(_npz(w1=np.ones((2, 2), np.float16), w2=np.arange(6, dtype=np.int8)))
    assert set(out) == {"w1", "w2"}
    np.testing.assert_array_equal(out["w2"], np.arange(6, dtype=np.float32))


def test_safetensors_roundtrip():
    a = np.random.default_rng(1).standard_normal((4, 8)).astype(np.float32)
    b = np.arange(10, dtype=np.float16)
    out = load_tensors(st_save({"layer.weight": a, "layer.bias": b}))
    np.testing.assert_array_equal(out["layer.weight"], a)
    np.testing.assert_array_equal(out["layer.bias"], b.astype(np.float32))


def test_safetensors_bf16_and_fp8_by_hand():
    v = np.array([1.0, -2.5, 3.140625, 0.0], np.float32)
    raw = v.astype(ml_dtypes.bfloat16).tobytes()
    raw8 = v.astype(ml_dtypes.float8_e4m3fn).tobytes()
    out = load_tensors(_st_raw({"w": ("BF16", (2, 2), raw), "f8": ("F8_E4M3", (4,), raw8)}))
    np.testing.assert_array_equal(out["w"], v.reshape(2, 2))
    np.testing.assert_array_equal(out["f8"], v.astype(ml_dtypes.float8_e4m3fn).astype(np.float32))


@pytest.mark.parametrize("data,match", [
    (b"", "empty"),
    (b"hello world, not a tensor", "not a recognised"),
    (b"GGUF\x03\x00\x00\x00" + b"\x00" * 16, "GGUF"),
    (b"PK\x03\x04garbage", "ZIP"),
    (b"\x93NUMPY\x01\x00garbage", "npy"),
])
def test_bad_files(data, match):
    with pytest.raises(TensorFileError, match=match):
        load_tensors(data)


def test_object_arrays_refused():
    a = np.array([{"a": 1}, None], dtype=object)
    with pytest.raises(TensorFileError, match="objects"):
        load_tensors(_npy(a))
    b = io.BytesIO()
    np.savez(b, ok=np.ones(3), bad=a)
    with pytest.raises(TensorFileError, match="objects"):
        load_tensors(b.getvalue())


def test_non_numeric_empty_and_nan_refused():
    with pytest.raises(TensorFileError, match="dtype"):
        load_tensors(_npy(np.array(["a", "b"])))
    with pytest.raises(TensorFileError, match="dtype"):
        load_tensors(_npy(np.ones(3, complex)))
    with pytest.raises(TensorFileError, match="empty"):
        load_tensors(_npy(np.zeros((0, 3))))
    with pytest.raises(TensorFileError, match="NaN"):
        load_tensors(_npy(np.array([1.0, np.nan])))
    assert issubclass(TensorFileError, ValueError)


def test_size_caps():
    a = np.zeros((100, 100), np.float32)
    with pytest.raises(TensorFileError, match="limit"):
        load_tensors(_npy(a), max_bytes=1000)
    with pytest.raises(TensorFileError, match="values"):
        load_tensors(_npy(a), max_values=9999)
    # a tiny compressed archive that declares a huge array is refused from its header
    with pytest.raises(TensorFileError, match="values"):
        load_tensors(_npz(big=np.zeros(2_000_000, np.float32)), max_values=1_000_000)
    with pytest.raises(TensorFileError, match="values"):
        load_tensors(st_save({"w": np.zeros(5000, np.float32)}), max_values=4000)


def test_safetensors_bad_header_and_dtype():
    with pytest.raises(TensorFileError, match="dtype"):
        load_tensors(_st_raw({"w": ("C64", (1,), b"\x00" * 8)}))
    good = _st_raw({"w": ("F32", (2,), b"\x00" * 8)})
    with pytest.raises(TensorFileError, match="invalid safetensors"):
        load_tensors(good[:-4])  # data shorter than the header says


def test_missing_path():
    with pytest.raises(TensorFileError, match="cannot read"):
        load_tensors("/nonexistent/w.npy")


# ---- GGUF (llama.cpp's gguf package writes the files; its reference quantizers make the blocks) ------------


def _gguf(tmp_path, tensors):
    """A GGUF file written by gguf's GGUFWriter: {name: (float32 array, quantization type name)}."""
    from gguf import GGMLQuantizationType, GGUFWriter
    from gguf.quants import quantize

    p = tmp_path / "t.gguf"
    w = GGUFWriter(str(p), "test")
    for name, (a, qtype) in tensors.items():
        if qtype == "F32":
            w.add_tensor(name, a)
        elif qtype == "F16":
            w.add_tensor(name, a.astype(np.float16))
        else:
            q = quantize(a, GGMLQuantizationType[qtype])
            w.add_tensor(name, q, raw_shape=q.shape, raw_dtype=GGMLQuantizationType[qtype])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return p.read_bytes()


def test_gguf_tensors_dequantized_by_llama_cpps_reference(tmp_path):
    pytest.importorskip("gguf")
    from quantviz.formats import quantize_format

    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 64)).astype(np.float32)
    b = rng.standard_normal((3, 96)).astype(np.float32)
    info = {}
    out = load_tensors(_gguf(tmp_path, {"w.f32": (a, "F32"), "w.f16": (a, "F16"), "w.q4_0": (a, "Q4_0"),
                                        "w.q8_0": (b, "Q8_0")}), info=info)
    assert set(out) == {"w.f32", "w.f16", "w.q4_0", "w.q8_0"}
    np.testing.assert_array_equal(out["w.f32"], a)
    np.testing.assert_array_equal(out["w.f16"], a.astype(np.float16).astype(np.float32))
    # the blocks in the file, dequantized by gguf, are this project's own q4_0 / q8_0 reconstructions
    np.testing.assert_array_equal(out["w.q4_0"], quantize_format(a, "q4_0").values)
    np.testing.assert_array_equal(out["w.q8_0"], quantize_format(b, "q8_0").values)
    assert out["w.q8_0"].shape == (3, 96)
    assert info["w.q4_0"] == "stored in the GGUF file as Q4_0" and info["w.f32"].endswith("F32")


def test_gguf_caps_and_bad_files(tmp_path):
    pytest.importorskip("gguf")
    data = _gguf(tmp_path, {"x": (np.ones((8, 32), np.float32), "F32")})
    with pytest.raises(TensorFileError, match="limit"):
        load_tensors(data, max_values=100)
    with pytest.raises(TensorFileError, match="GGUF"):
        load_tensors(data[:40])
