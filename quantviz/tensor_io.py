"""Read tensors from ``.npy``, ``.npz``, ``.safetensors`` and ``.gguf`` files (uploads).

:func:`load_tensors` takes a path or the file's bytes and returns
``{name: float32 array}``. Anything wrong raises :class:`TensorFileError`
(a ``ValueError``) whose message says what was wrong and what is accepted:

* the format is recognised by its content (NumPy's ``\\x93NUMPY`` magic, a
  ZIP archive, or safetensors' 8-byte header length + JSON header), not by
  the file name;
* no pickles: ``np.load(..., allow_pickle=False)``, so object arrays are
  refused, as are strings, structured and complex arrays;
* size caps on the file (``max_bytes``) and on the values it declares
  (``max_values``), checked from the headers before any array is read, so a
  small compressed file cannot expand into gigabytes;
* empty arrays and NaN/inf values are refused;
* safetensors are parsed by the ``safetensors`` package (its Rust
  deserializer, no torch); F16/BF16/F8 tensors are read with NumPy/ml_dtypes
  dtypes and widened to float32;
* GGUF files (llama.cpp) are parsed by llama.cpp's own ``gguf`` package
  (``GGUFReader``) and every tensor is dequantized by its reference
  ``gguf.quants.dequantize`` (F32/F16/BF16, Q8_0, Q4_0, Q4_1, Q5_x, the
  k-quants, …); the stored type of each tensor can be returned through
  ``info``.

Integer and float16/bfloat16/float8 tensors are converted to float32 (exact).
"""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from pathlib import Path

import ml_dtypes
import numpy as np

__all__ = ["TensorFileError", "load_tensors", "SUPPORTED_EXTENSIONS", "DEFAULT_MAX_BYTES", "DEFAULT_MAX_VALUES",
           "LLAMA_REFERENCE_PATH", "load_llama_reference"]

SUPPORTED_EXTENSIONS = (".npy", ".npz", ".safetensors", ".gguf")
DEFAULT_MAX_BYTES = 200_000_000  # 200 MB on disk
DEFAULT_MAX_VALUES = 50_000_000  # 50 M values in total (200 MB as float32)

_ST_DTYPES = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16, "BF16": ml_dtypes.bfloat16,
    "F8_E4M3": ml_dtypes.float8_e4m3fn, "F8_E5M2": ml_dtypes.float8_e5m2,
    "I64": np.int64, "U64": np.uint64, "I32": np.int32, "U32": np.uint32, "I16": np.int16,
    "U16": np.uint16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_,
}


class TensorFileError(ValueError):
    """A tensor file that cannot be used; the message says why and what is accepted."""


_ACCEPTED = "Accepted: .npy, .npz (numeric arrays, no pickles), .safetensors and .gguf."


def _read(source, max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = "the file"
    elif isinstance(source, (str, os.PathLike)):
        label = os.fspath(source)
        try:
            size = os.path.getsize(label)
        except OSError as exc:
            raise TensorFileError(f"cannot read {label}: {exc.strerror or exc}") from None
        if size > max_bytes:
            raise TensorFileError(f"{label} is {size:,} bytes; the limit is {max_bytes:,} bytes")
        with open(label, "rb") as fh:
            data = fh.read()
    elif hasattr(source, "read"):
        label = getattr(source, "name", "the file")
        data = source.read(max_bytes + 1)
    else:
        raise TensorFileError(f"source must be a path, bytes or a binary file object; got {type(source).__name__}")
    if len(data) > max_bytes:
        raise TensorFileError(f"{label} is larger than the limit of {max_bytes:,} bytes")
    if not data:
        raise TensorFileError(f"{label} is empty. {_ACCEPTED}")
    return data, label


def _finish(name: str, a: np.ndarray, label: str) -> np.ndarray:
    if a.dtype.hasobject:
        raise TensorFileError(f"{label}: array {name!r} holds Python objects, which are refused (no pickles)")
    if a.dtype.type in (ml_dtypes.bfloat16, ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e5m2):
        a = a.astype(np.float32)
    if a.dtype.kind not in "fiub":
        raise TensorFileError(f"{label}: array {name!r} has dtype {a.dtype}; only real numbers are accepted")
    if a.size == 0:
        raise TensorFileError(f"{label}: array {name!r} is empty (shape {a.shape})")
    a = a.astype(np.float32)
    if not np.isfinite(a).all():
        raise TensorFileError(f"{label}: array {name!r} contains NaN or infinite values (or values beyond float32)")
    return a


def _npy_header(fh, label, name):
    try:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
    except Exception as exc:
        raise TensorFileError(f"{label}: {name} is not a valid .npy array ({exc})") from None
    return shape, dtype


def _load_npy(data, label, max_values):
    fh = io.BytesIO(data)
    shape, dtype = _npy_header(fh, label, "the file")
    if dtype.hasobject:
        raise TensorFileError(f"{label}: the array holds Python objects, which are refused (no pickles)")
    n = int(np.prod(shape, dtype=np.int64))
    if n > max_values:
        raise TensorFileError(f"{label}: the array has {n:,} values; the limit is {max_values:,}")
    try:
        a = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as exc:
        raise TensorFileError(f"{label}: cannot read the .npy array ({exc})") from None
    return {"array": _finish("array", a, label)}


def _load_npz(data, label, max_values):
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TensorFileError(f"{label} is not a valid .npz (ZIP) archive. {_ACCEPTED}") from None
    out = {}
    total = 0
    with zf:
        members = [i for i in zf.infolist() if not i.is_dir()]
        if not members:
            raise TensorFileError(f"{label}: the .npz archive holds no arrays")
        for info in members:
            if not info.filename.endswith(".npy"):
                raise TensorFileError(f"{label}: {info.filename!r} is not a .npy member; not a NumPy .npz file")
            name = info.filename[:-4]
            with zf.open(info) as fh:
                shape, dtype = _npy_header(fh, label, repr(name))
            if dtype.hasobject:
                raise TensorFileError(f"{label}: array {name!r} holds Python objects, which are refused (no pickles)")
            total += int(np.prod(shape, dtype=np.int64))
            if total > max_values:
                raise TensorFileError(f"{label}: the arrays hold more than {max_values:,} values in total")
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                for name in z.files:
                    out[name] = _finish(name, z[name], label)
        except TensorFileError:
            raise
        except Exception as exc:
            raise TensorFileError(f"{label}: cannot read the .npz arrays ({exc})") from None
    return out


def _load_safetensors(data, label, max_values):
    from safetensors import deserialize

    (n_header,) = struct.unpack("<Q", data[:8])
    try:
        header = json.loads(data[8: 8 + n_header])
    except Exception:
        raise TensorFileError(f"{label}: the safetensors header is not valid JSON") from None
    total = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(info, dict) or info.get("dtype") not in _ST_DTYPES:
            dt = info.get("dtype") if isinstance(info, dict) else info
            raise TensorFileError(f"{label}: tensor {name!r} has dtype {dt!r}; supported: {', '.join(_ST_DTYPES)}")
        total += int(np.prod(info.get("shape", []), dtype=np.int64))
        if total > max_values:
            raise TensorFileError(f"{label}: the tensors hold more than {max_values:,} values in total")
    try:
        flat = deserialize(data)
    except Exception as exc:
        raise TensorFileError(f"{label}: invalid safetensors file ({exc})") from None
    out = {}
    for name, v in flat:
        a = np.frombuffer(v["data"], dtype=_ST_DTYPES[v["dtype"]]).reshape(v["shape"])
        out[name] = _finish(name, a, label)
    if not out:
        raise TensorFileError(f"{label}: the safetensors file holds no tensors")
    return out


def _load_gguf(data, label, max_values, info):
    import tempfile

    try:
        from gguf import GGUFReader
        from gguf.quants import dequantize
    except ImportError:  # pragma: no cover - gguf is a runtime dependency
        raise TensorFileError(f"{label} is a GGUF file, and reading GGUF needs the gguf package") from None
    with tempfile.NamedTemporaryFile(suffix=".gguf") as fh:
        fh.write(data)
        fh.flush()
        try:
            reader = GGUFReader(fh.name)
        except Exception as exc:
            raise TensorFileError(f"{label}: not a valid GGUF file ({exc})") from None
        total = sum(int(t.n_elements) for t in reader.tensors)
        if total > max_values:
            raise TensorFileError(f"{label}: the tensors hold {total:,} values; the limit is {max_values:,}")
        out = {}
        for t in reader.tensors:
            try:
                a = np.array(dequantize(t.data, t.tensor_type), dtype=np.float32)
            except (NotImplementedError, ValueError, KeyError) as exc:
                raise TensorFileError(f"{label}: tensor {t.name!r} is stored as {t.tensor_type.name}, which "
                                      f"gguf cannot dequantize ({exc})") from None
            shape = tuple(int(n) for n in reversed(t.shape))  # GGUF lists dimensions innermost first
            out[t.name] = _finish(t.name, a.reshape(shape), label)
            if info is not None:
                info[t.name] = f"stored in the GGUF file as {t.tensor_type.name}"
    if not out:
        raise TensorFileError(f"{label}: the GGUF file holds no tensors")
    return out


def load_tensors(source, *, max_bytes: int = DEFAULT_MAX_BYTES, max_values: int = DEFAULT_MAX_VALUES,
                 info: dict | None = None) -> dict:
    """Read every array of a ``.npy``, ``.npz``, ``.safetensors`` or ``.gguf`` file.

    Parameters
    ----------
    source : path, bytes or binary file object (e.g. Streamlit's UploadedFile)
    max_bytes : int
        Largest accepted file size.
    max_values : int
        Largest accepted total number of values (checked from the headers).
    info : dict, optional
        Filled with name -> how the tensor was stored, for GGUF tensors (their
        quantization type, e.g. "stored in the GGUF file as Q4_0").

    Returns
    -------
    dict of name -> float32 ndarray
        A ``.npy`` file gives one entry, ``"array"``.

    Raises
    ------
    TensorFileError
        A ValueError with a message for the user.
    """
    data, label = _read(source, int(max_bytes))
    if data[:6] == b"\x93NUMPY":
        return _load_npy(data, label, max_values)
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        return _load_npz(data, label, max_values)
    if len(data) >= 10:
        (n_header,) = struct.unpack("<Q", data[:8])
        if 2 <= n_header <= len(data) - 8 and data[8:9] == b"{":
            return _load_safetensors(data, label, max_values)
    if data[:4] == b"GGUF":
        return _load_gguf(data, label, max_values, info)
    raise TensorFileError(f"{label} is not a recognised tensor file. {_ACCEPTED}")


#: llama.cpp's LLaMA-3-8B Wikitext-2 scoreboard as shipped in assets (see its header for the source).
LLAMA_REFERENCE_PATH = Path(__file__).resolve().parent.parent / "assets" / "reference" / "llama3_8b_wikitext2.csv"


def load_llama_reference(path=None) -> list[dict]:
    """Rows of the shipped llama.cpp reference table: quant, imatrix, size_gib, bpw, ppl, ppl_err, delta_ppl, kld.

    Lines starting with ``#`` are its source notes. ``bpw`` is derived from the
    published file size (size_gib · 2³³ / 8,030,261,248 parameters).
    """
    import csv

    p = Path(path) if path is not None else LLAMA_REFERENCE_PATH
    if not p.is_file():
        raise ValueError(f"reference table not found: {p}")
    with open(p, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    out = []
    for r in rows:
        d = {k: r[k] for k in ("quant", "imatrix")}
        d.update({k: float(r[k]) for k in ("size_gib", "bpw", "ppl", "ppl_err", "delta_ppl", "kld")})
        out.append(d)
    return out
