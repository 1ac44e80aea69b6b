"""The glossary (``assets/glossary.toml``) and the small views it builds where no page shows a term.

Pure Python/NumPy (no Streamlit): :func:`load_glossary` reads the entries, :func:`search` filters them,
:func:`link_problems` checks every entry's link against the pages' declared fields. The three demos
compute what the Glossary page draws for terms no other page shows:

- :func:`adaptive_demo`: forward-adaptive (block floating-point) quantization against a fixed step;
- :func:`static_dynamic_error_demo`: the static (offset) error of a constant input, which averaging
  cannot remove, against the dynamic error of a moving or dithered one, which it can;
- :func:`static_dynamic_quant_demo`: static (calibrated once) against dynamic (per batch) activation scales.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from quantviz.quantizers import QuantizerSpec, quantize

GLOSSARY_PATH = Path(__file__).resolve().parent.parent / "assets" / "glossary.toml"


@dataclass(frozen=True)
class Entry:
    """One glossary term: what it means and a link to a view that shows it.

    ``page`` is a page script (``pages/1_Signals.py``); ``params`` the link's URL parameters (a string or a
    list of strings each); ``shows`` texts the target page displays for those parameters (a chart title, a
    card's label, a caption), which the tests look for.
    """

    id: str
    term: str
    text: str
    group: str
    page: str
    params: dict = field(default_factory=dict)
    link: str = ""
    shows: tuple = ()
    aka: tuple = ()


def load_glossary(path: str | Path = GLOSSARY_PATH) -> list[Entry]:
    """The entries of a glossary TOML file (``[[term]]`` tables), in file order.

    Raises
    ------
    ValueError
        Naming the entry: a missing key, a duplicate id, a parameter that is not a string or a list of strings.
    """
    doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    out, seen = [], set()
    for i, raw in enumerate(doc.get("term", [])):
        missing = [k for k in ("id", "term", "text", "group", "page") if not raw.get(k)]
        if missing:
            raise ValueError(f"glossary entry {i} ({raw.get('id', '?')}): missing {', '.join(missing)}")
        if raw["id"] in seen:
            raise ValueError(f"glossary entry {i}: duplicate id {raw['id']!r}")
        seen.add(raw["id"])
        params = {}
        for k, v in (raw.get("params") or {}).items():
            if isinstance(v, str):
                params[k] = v
            elif isinstance(v, list) and all(isinstance(s, str) for s in v):
                params[k] = list(v)
            else:
                raise ValueError(f"glossary entry {raw['id']!r}: parameter {k}={v!r} must be a string or a list "
                                 "of strings (as in a URL)")
        out.append(Entry(raw["id"], raw["term"], " ".join(raw["text"].split()), raw["group"], raw["page"], params,
                         raw.get("link", ""), tuple(raw.get("shows", ())), tuple(raw.get("aka", ()))))
    return out


def _fold(s: str) -> str:
    return re.sub(r"\s+", " ", s.lower().replace("-", " ")).strip()


def search(entries: list[Entry], query: str) -> list[Entry]:
    """The entries whose term, other names or text contain every word of ``query`` (case-insensitive);
    matches in the term or its other names first."""
    words = _fold(query).split()
    if not words:
        return list(entries)
    head, body = [], []
    for e in entries:
        name = _fold(" ".join((e.term, *e.aka)))
        every = name + " " + _fold(e.text)
        if all(w in every for w in words):
            (head if all(w in name for w in words) else body).append(e)
    return head + body


def link_problems(entries: list[Entry], fields_of: dict[str, dict | None]) -> list[str]:
    """What is wrong with the entries' links: an unknown page, or a parameter that page does not declare or
    would refuse. ``fields_of`` maps a page script to its fields (``quantviz.app.params.PAGE_FIELDS`` by title),
    or None for a page without declared fields (then no parameter is allowed)."""
    from quantviz.app.state import parse_query, query_lists  # pure Python: the same rule the pages apply

    out = []
    for e in entries:
        if e.page not in fields_of:
            out.append(f"{e.id}: unknown page {e.page}")
            continue
        fields = fields_of[e.page] or {}
        unknown = [k for k in e.params if k not in fields]
        if unknown:
            out.append(f"{e.id}: {e.page} has no field {', '.join(unknown)}")
            continue
        _, problems = parse_query(query_lists(e.params), fields)
        out += [f"{e.id}: {p}" for p in problems]
        if not e.shows:
            out.append(f"{e.id}: says nothing the page shows (shows = [])")
    return out


# ---- Views built on the Glossary page -------------------------------------------------------------------------


def _snr_db(x, e) -> float:
    pe = float(np.mean(np.square(e)))
    return float("inf") if pe == 0 else 10 * np.log10(float(np.mean(np.square(x))) / pe)


@dataclass(frozen=True)
class AdaptiveDemo:
    t: np.ndarray  # block centres (s)
    level_db: np.ndarray  # each block's peak (dBFS)
    fixed_db: np.ndarray  # SNR per block, fixed Δ = 2/2^b over [−1, 1]
    adaptive_db: np.ndarray  # SNR per block, Δ scaled to the block's peak (a power of two)
    fixed_total_db: float
    adaptive_total_db: float
    side_bits: float  # bits per sample spent on the scales (an exponent per block)


def adaptive_demo(bits: int = 4, block: int = 256, fs: float = 8000.0, seconds: float = 2.0,
                  exponent_bits: int = 4) -> AdaptiveDemo:
    """A 440 Hz tone fading from 0 to −48 dBFS, quantized with a fixed step and with a forward-adaptive step.

    Fixed: Δ = 2/2^b over [−1, 1]. Adaptive (block floating point, as in NICAM or a block's shared exponent):
    each block of ``block`` samples is scaled by g = 2^⌈log2 max|x|⌉, quantized with b bits over [−g, g], so
    Δ_block = 2g/2^b follows the signal; the scale costs ``exponent_bits`` per block. The fixed quantizer's SNR
    falls 1 dB per dB of level; the adaptive one's stays near 6.02 b + 1.76 dB (Jayant & Noll, *Digital
    Coding of Waveforms*, 1984, ch. 4).
    """
    n = int(fs * seconds) // block * block
    t = np.arange(n) / fs
    x = 10 ** (-48 * t / t[-1] / 20) * np.sin(2 * np.pi * 440 * t) * 0.999
    spec = QuantizerSpec(bits=bits, mode="midrise")
    fixed = quantize(x, spec).values.astype(np.float64)
    xb = x.reshape(-1, block)
    g = 2.0 ** np.ceil(np.log2(np.maximum(np.max(np.abs(xb), axis=1), 1e-12)))
    adaptive = (quantize(xb / g[:, None], spec).values.astype(np.float64) * g[:, None]).ravel()
    ef, ea = (x - fixed).reshape(-1, block), (x - adaptive).reshape(-1, block)
    fixed_db = np.array([_snr_db(a, b) for a, b in zip(xb, ef)])
    adaptive_db = np.array([_snr_db(a, b) for a, b in zip(xb, ea)])
    level = 20 * np.log10(np.max(np.abs(xb), axis=1))
    return AdaptiveDemo(t.reshape(-1, block).mean(axis=1), level, fixed_db, adaptive_db, _snr_db(x, x - fixed),
                        _snr_db(x, x - adaptive), exponent_bits / block)


@dataclass(frozen=True)
class StaticDynamicError:
    n: np.ndarray  # number of samples averaged
    dc: np.ndarray  # |mean error| of a constant input, no dither (in Δ)
    dc_dither: np.ndarray  # the same with TPDF dither
    busy: np.ndarray  # |mean error| of a busy input (Gaussian noise spanning many steps), no dither
    static_error: float  # e = x0 − Q(x0) of the constant, in Δ


def static_dynamic_error_demo(bits: int = 4, x0: float = 0.3, n: int = 65536, seed: int = 0) -> StaticDynamicError:
    """|mean(e)| over the first N samples, for N = 1 … n: a constant input x0 (static error: the same e every
    sample, so averaging keeps it), the same constant with TPDF dither (the error becomes dynamic, zero-mean
    and white, so the average falls as 1/√N), and a busy input, Gaussian noise of σ = 0.3 that moves through
    many steps (a dynamic error, uniform and white: its mean falls as 0.289 Δ/√N, Widrow's conditions)."""
    spec = QuantizerSpec(bits=bits)
    step = quantize(np.zeros(1), spec).step
    dc = np.full(n, x0)
    k = np.arange(1, n + 1)
    e_dc = quantize(dc, spec).error
    e_dd = quantize(dc, QuantizerSpec(bits=bits, dither="tpdf", seed=seed)).error
    s = 0.3 * np.random.default_rng(seed + 1).standard_normal(n)
    e_s = quantize(s, spec).error
    idx = np.unique(np.round(np.logspace(0, np.log10(n), 60)).astype(int)) - 1

    def run(e):
        return np.abs(np.cumsum(e) / k)[idx] / step

    return StaticDynamicError(k[idx], run(e_dc), run(e_dd), run(e_s), float(e_dc[0] / step))


@dataclass(frozen=True)
class StaticDynamicQuant:
    peak: np.ndarray  # each batch's max |a|
    static_scale: float  # the calibrated range (max |a| over the calibration batches)
    static_db: np.ndarray  # SQNR per batch with the one static range
    dynamic_db: np.ndarray  # SQNR per batch with its own range
    clipped: np.ndarray  # fraction of each batch clipped by the static range
    model_db: float  # 6.02 b + 4.77 − 20·log10(max|a|/σ): a uniform grid over ±max|a| on a Gaussian (median ratio)


def static_dynamic_quant_demo(bits: int = 8, batches: int = 24, size: int = 4096, calibration: int = 4,
                              seed: int = 0) -> StaticDynamicQuant:
    """Symmetric b-bit activation quantization of batches whose spread varies (σ drawn log-uniformly over
    a factor of 8): static quantization fixes the range once, as max|a| over the first ``calibration``
    batches; dynamic quantization takes each batch's own max|a| at run time (Jacob et al. 2018; PyTorch's
    ``quantize_dynamic``). A batch wider than the calibration clips; a narrower one uses few levels."""
    rng = np.random.default_rng(seed)
    sigma = 2.0 ** rng.uniform(-1.5, 1.5, batches)
    a = rng.standard_normal((batches, size)) * sigma[:, None]
    peak = np.max(np.abs(a), axis=1)
    static = float(np.max(peak[:calibration]))

    def q(batch, r):
        spec = QuantizerSpec(bits=bits, lo=-r, hi=r, mode="endpoints")
        return quantize(batch, spec).values.astype(np.float64)

    static_db = np.array([_snr_db(b, b - q(b, static)) for b in a])
    dynamic_db = np.array([_snr_db(b, b - q(b, p)) for b, p in zip(a, peak)])
    clipped = np.mean(np.abs(a) > static, axis=1)
    crest = float(np.median(peak / sigma))
    model = 6.02 * bits + 4.77 - 20 * np.log10(crest) + 20 * np.log10(1 - 2.0**-bits)  # Δ = 2r/(2^b − 1)
    return StaticDynamicQuant(peak, static, static_db, dynamic_db, clipped, float(model))
