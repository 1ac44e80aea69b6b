"""Read uploaded audio, load the built-in clips and write WAVs for playback.

Everything here works on NumPy arrays and never imports Streamlit, so the
Audio and Non-uniform pages (and notebooks) share one tested path.

Conventions
-----------
* Audio is ``float64`` of shape ``(channels, n)`` with values in [-1, 1];
  processing such as noise shaping runs along the last axis.  Functions that
  write audio also accept a mono ``(n,)`` array.
* Levels are in dBFS: 0 dBFS is a sample of magnitude 1.0.
* Anything wrong with the input raises :class:`AudioInputError` (a
  ``ValueError``) whose message says what was wrong and what is accepted.
* Nothing is ever downloaded: the built-in clips ship in ``assets/audio/``.
"""

from __future__ import annotations

import io
import math
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf

__all__ = [
    "AudioInputError",
    "AudioClip",
    "CLIPS",
    "SUPPORTED_FORMATS",
    "read_audio",
    "load_clip",
    "wav_bytes",
    "g711_wav_bytes",
    "limit",
    "excerpt",
    "peak_dbfs",
    "rms_dbfs",
]

MIN_SAMPLE_RATE = 1_000
MAX_SAMPLE_RATE = 384_000
DEFAULT_MAX_BYTES = 50_000_000  # 50 MB
DEFAULT_MAX_SECONDS = 60.0

AUDIO_DIR = Path(__file__).resolve().parent.parent / "assets" / "audio"

#: Built-in clips, in display order: key -> short description for a selectbox.
CLIPS = {
    "piano": "Piano-like note (A3) decaying to about -70 dBFS",
    "chords": "Chord sequence C-Am-F-G with soft attacks",
    "sweep": "Sine sweep 20 Hz to 20 kHz at -6 dBFS",
    "tone60": "1 kHz sine at -60 dBFS (very quiet)",
    "speech": "Synthetic speech (espeak-ng)",
}

_READABLE = {"WAV": "WAV", "FLAC": "FLAC", "OGG": "OGG (Vorbis/Opus)", "MP3": "MP3", "AIFF": "AIFF"}
#: Upload formats this build of libsndfile can decode (MP3 needs libsndfile >= 1.1).
SUPPORTED_FORMATS = tuple(label for fmt, label in _READABLE.items() if fmt in sf.available_formats())

_CONTAINERS = ((8, "PCM_U8"), (16, "PCM_16"), (24, "PCM_24"), (32, "PCM_32"))
_G711 = {"mu": ("ULAW", 7), "a": ("ALAW", 6)}  # law -> (libsndfile subtype, WAV format tag)
_BLOCK_FRAMES = 1 << 16


class AudioInputError(ValueError):
    """Audio (or an argument about it) that quantviz cannot use.

    The message is meant for a student: it says what was wrong, what is
    accepted and the limits.
    """


@dataclass(frozen=True, eq=False)
class AudioClip:
    """Decoded audio ready for the quantizers.

    Parameters
    ----------
    samples : ndarray
        ``float64`` array of shape ``(channels, n)`` in [-1, 1].  Stored as a
        read-only view (clips are cached and shared); copy before editing.
    sample_rate : int
        Samples per second per channel.
    name : str
        File name or built-in clip key.
    subtype : str
        How the source stored its samples, as libsndfile names it
        (e.g. ``'PCM_16'``, ``'PCM_24'``, ``'FLOAT'``, ``'VORBIS'``).
    notice : str
        ``''`` or a sentence for the page about what was changed
        (trimmed, mixed down, scaled down, cut short).
    """

    samples: np.ndarray
    sample_rate: int
    name: str
    subtype: str
    notice: str = ""

    def __post_init__(self):
        samples = np.asarray(self.samples, dtype=np.float64)
        if samples.ndim != 2:
            raise ValueError(f"AudioClip.samples must have shape (channels, n), got {samples.shape}")
        view = samples.view()
        view.flags.writeable = False
        object.__setattr__(self, "samples", view)

    @property
    def channels(self) -> int:
        """Number of channels (rows of ``samples``)."""
        return self.samples.shape[0]

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.samples.shape[1] / self.sample_rate


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def read_audio(
    data: bytes,
    name: str = "upload",
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    channel: str | int = "mix",
    start_seconds: float = 0.0,
) -> AudioClip:
    """Decode an uploaded audio file into an :class:`AudioClip`.

    Parameters
    ----------
    data : bytes
        The whole file (e.g. ``uploaded_file.getvalue()``).  Any format in
        :data:`SUPPORTED_FORMATS`, any integer or float sample type.
    name : str
        Shown in messages and kept on the clip.
    max_bytes : int
        Files larger than this are refused *before* decoding (default 50 MB).
    max_seconds : float
        At most this much audio is decoded (default 60 s); a longer file is
        trimmed and the clip's ``notice`` says so.  ``math.inf`` for no cap.
    channel : {'mix', 'all'} or int
        ``'mix'`` (default) averages all channels to mono, an int ``i`` keeps
        channel ``i`` (0-based) only, ``'all'`` keeps every channel.
    start_seconds : float
        Where in the file the decoded region starts (default 0).

    Returns
    -------
    AudioClip
        ``samples`` has shape ``(1, n)``, or ``(channels, n)`` for ``'all'``.

    Raises
    ------
    AudioInputError
        Empty, oversize, unreadable, damaged or zero-length files, sample
        rates outside 1 kHz to 384 kHz, NaN/Inf samples, bad arguments.

    Notes
    -----
    Only the frames needed are decoded, in blocks, and mixed down block by
    block, so a long or many-channel file costs no more memory than the
    clip that is returned.  Integer files are scaled by libsndfile to
    ``k / 2**(B-1)`` (exact).  Float files whose peak exceeds full scale are
    scaled *down* to a peak of 1.0 (with a notice), never up.  A file whose
    header announces more audio than it holds is read as far as it goes,
    with a notice.
    """
    _check_upload_size(data, name, max_bytes)
    if not max_seconds > 0:  # also rejects NaN
        raise AudioInputError(f"max_seconds must be positive, got {max_seconds!r}.")
    try:
        with sf.SoundFile(io.BytesIO(data)) as f:
            return _read_open_file(f, name, max_seconds, channel, start_seconds)
    except sf.SoundFileError as err:
        reason = getattr(err, "error_string", "") or str(err)
        raise AudioInputError(
            f"Could not decode '{name}' ({reason.strip()}). quantviz reads "
            f"{_format_list()} files; this one is not one of them, or it is damaged or truncated."
        ) from None


def _check_upload_size(data, name: str, max_bytes: int) -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise AudioInputError(f"Expected the bytes of an audio file, got {type(data).__name__}.")
    size = memoryview(data).nbytes
    if size == 0:
        raise AudioInputError(f"'{name}' is empty (0 bytes). Upload a {_format_list()} file.")
    if size > max_bytes:
        raise AudioInputError(
            f"'{name}' is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB upload limit. "
            "Cut it shorter or save it as FLAC or MP3 first."
        )


def _read_open_file(f: sf.SoundFile, name, max_seconds, channel, start_seconds) -> AudioClip:
    rate, total = f.samplerate, f.frames
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise AudioInputError(
            f"'{name}' has a sample rate of {rate:,} Hz; quantviz accepts "
            f"{MIN_SAMPLE_RATE:,} Hz to {MAX_SAMPLE_RATE:,} Hz."
        )
    channel = _check_channel(channel, f.channels, name)
    if total <= 0:
        raise AudioInputError(f"'{name}' contains no audio samples (its length is zero).")
    start = _start_frame(start_seconds, rate, total, name)
    wanted = min(total - start, math.floor(max_seconds * rate) if math.isfinite(max_seconds) else total)
    if wanted <= 0:
        raise AudioInputError(f"max_seconds={max_seconds} is shorter than one sample at {rate:,} Hz.")
    if start:
        f.seek(start)
    y = _read_frames(f, wanted, channel)
    got = y.shape[1]
    if got == 0:
        raise AudioInputError(f"No audio could be decoded from '{name}'; the file seems damaged or truncated.")
    if not np.isfinite(y).all():
        raise AudioInputError(
            f"'{name}' contains NaN or infinite sample values; quantviz needs finite samples in [-1, 1]."
        )

    notices = []
    if start or wanted < total:
        where = "the first " if not start else ""
        after = f" starting at {_secs(start / rate)}" if start else ""
        notices.append(f"Trimmed to {where}{_secs(got / rate)}{after} of {_secs(total / rate)}")
    if channel == "mix" and f.channels > 1:
        notices.append(f"Mixed down {f.channels} channels to mono")
    elif isinstance(channel, int) and f.channels > 1:
        notices.append(f"Using channel {channel} of {f.channels}")
    if got < wanted or _wav_data_chunk_short(f.extra_info):
        notices.append("The file seems cut short (its header announces more audio than it holds)")
    peak = max(y.max(), -y.min())  # no |y| temporary
    if peak > 1.0:
        y /= peak
        notices.append(f"Scaled down by {20 * math.log10(peak):.1f} dB: the float samples went above full scale")
    return AudioClip(y, rate, name, f.subtype, "; ".join(notices))


def _check_channel(channel, n_channels: int, name: str):
    if isinstance(channel, str) and channel in ("mix", "all"):
        return channel
    if isinstance(channel, (int, np.integer)) and not isinstance(channel, bool) and 0 <= channel < n_channels:
        return int(channel)
    raise AudioInputError(
        f"channel={channel!r} does not fit '{name}', which has {n_channels} channel(s): use 'mix', "
        f"'all' or a channel number from 0 to {n_channels - 1}."
    )


def _start_frame(start_seconds: float, rate: int, total: int, name: str) -> int:
    if not (math.isfinite(start_seconds) and 0 <= start_seconds < total / rate):
        raise AudioInputError(
            f"start_seconds={start_seconds!r} is outside '{name}', which lasts {_secs(total / rate)}; "
            "choose a start from 0 up to its end."
        )
    return math.floor(start_seconds * rate)


def _read_frames(f: sf.SoundFile, frames: int, channel) -> np.ndarray:
    """Decode up to ``frames`` frames block by block into ``(channels, got)``.

    ``SoundFile.blocks`` is not used: it yields stale buffer contents when a
    damaged file ends early, whereas ``read`` returns only what was decoded.
    """
    out = np.empty((f.channels if channel == "all" else 1, frames))
    got = 0
    while got < frames:
        want = min(_BLOCK_FRAMES, frames - got)
        block = f.read(want, dtype="float64", always_2d=True)
        if channel == "mix":
            block = block.mean(axis=1, keepdims=True)
        elif channel != "all":
            block = block[:, channel : channel + 1]
        out[:, got : got + len(block)] = block.T
        got += len(block)
        if len(block) < want:  # the file ended early
            break
    return out[:, :got]


def _wav_data_chunk_short(log: str) -> bool:
    """True when libsndfile logged a WAV 'data' chunk shorter than its header says."""
    match = re.search(r"^data\s*:\s*(\d+)\s*\(should be (\d+)\)", log, flags=re.MULTILINE)
    return bool(match) and int(match[2]) < int(match[1])


def _format_list() -> str:
    return ", ".join(SUPPORTED_FORMATS[:-1]) + " or " + SUPPORTED_FORMATS[-1]


def _secs(t: float) -> str:
    return f"{round(t, 1):g} s"


@lru_cache(maxsize=8)
def load_clip(key: str) -> AudioClip:
    """Load a built-in clip from ``assets/audio/<key>.flac`` (cached).

    Parameters
    ----------
    key : str
        One of the keys of :data:`CLIPS`.

    Returns
    -------
    AudioClip
        Mono, 48 kHz, read-only samples (shared between callers).

    Notes
    -----
    The clips are made by ``assets/make_audio.py``; ``assets/CREDITS.md``
    documents their content, levels and licences.
    """
    if key not in CLIPS:
        raise AudioInputError(f"Unknown built-in clip {key!r}; choose one of {', '.join(CLIPS)}.")
    path = AUDIO_DIR / f"{key}.flac"
    if not path.is_file():
        raise FileNotFoundError(f"Built-in clip {path} is missing; run `python assets/make_audio.py`.")
    return read_audio(path.read_bytes(), name=key)


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def wav_bytes(y, sample_rate: int, bits: int = 16) -> bytes:
    """Encode audio as a PCM WAV in which values on a ``bits``-bit grid survive exactly.

    Parameters
    ----------
    y : array_like
        Audio of shape ``(n,)`` or ``(channels, n)``, nominally in [-1, 1].
    sample_rate : int
        1 000 Hz to 384 000 Hz.
    bits : int
        Resolution of the signal, 1 to 32.  The file uses the smallest
        container B that holds it: 8-bit unsigned WAV (``PCM_U8``) for
        ``bits <= 8``, else ``PCM_16``, ``PCM_24`` or ``PCM_32``.

    Returns
    -------
    bytes
        A complete WAV file (e.g. for ``st.audio(..., format='audio/wav')``).

    Notes
    -----
    A ``b``-bit quantizer on [-1, 1) outputs ``k * 2**(1-b) - 1`` for
    ``k = 0 .. 2**b - 1``: multiples of ``2**(1-b)`` in ``[-1, 1 - 2**(1-b)]``.
    Each sample becomes the integer ``round(y * 2**(B-1))`` (ties to even),
    clipped to ``[-2**(B-1), 2**(B-1) - 1]`` -- values at or above
    ``1 - 2**(1-B)`` saturate, they never wrap -- and is shifted to the top of
    an int32 so that libsndfile only drops zero bits when it packs the file.
    Grid values are therefore stored exactly; reading the file back with
    ``soundfile.read(dtype='float64')`` returns them bit for bit.

    ``PCM_U8`` rather than ``PCM_16`` is used for ``bits <= 8`` because it is
    equally exact (8-bit grids are multiples of ``2**-7``), half the size, and
    what an 8-bit file really is; every browser plays it.

    The level is never changed (no normalisation): quiet signals play quiet.
    """
    container, subtype = _container(bits)
    ints = _to_int32(_float_channels(y), container)
    return _soundfile_wav(ints, sample_rate, subtype)


def g711_wav_bytes(codes_or_pcm, sample_rate: int, law: str = "mu") -> bytes:
    """Encode an 8-bit G.711 (mu-law or A-law) WAV.

    Parameters
    ----------
    codes_or_pcm : array_like, shape (n,) or (channels, n)
        What goes in decides what happens:

        * ``uint8``: G.711 code bytes as transmitted (the output of
          ``audioop.lin2ulaw`` / ``lin2alaw``, i.e. mu-law with all bits
          inverted, A-law with even bits inverted).  Written verbatim.
        * any other integer type: 16-bit linear PCM (-32768 .. 32767), which
          libsndfile encodes to G.711.
        * float: audio in [-1, 1], first rounded to 16-bit PCM exactly as
          :func:`wav_bytes` does, then encoded by libsndfile.
    sample_rate : int
        1 000 Hz to 384 000 Hz (G.711 itself is defined at 8 000 Hz).
    law : {'mu', 'a'}
        mu-law (North America, Japan) or A-law (Europe).

    Returns
    -------
    bytes
        A WAV with format tag 7 (mu-law) or 6 (A-law), 8 bits per sample.

    Notes
    -----
    G.711 codes 14-bit (mu-law) or 13-bit (A-law) linear input, so 16-bit
    PCM is first reduced.  libsndfile's encoder and the classic reference
    (Sun's public-domain ``g711.c``, which Python's ``audioop`` uses) disagree
    by one level for some negative inputs at a decision threshold.  PCM is
    therefore moved within its own input cell before libsndfile encodes it
    (mu-law: two's-complement truncation to 14 bits; A-law: negative values
    to the top of their 13-bit cell), which makes the file's bytes equal
    ``audioop.lin2ulaw`` / ``lin2alaw`` for all 65 536 int16 inputs (tested).

    Decoders (libsndfile, browsers, ``audioop.ulaw2lin``) expand each byte
    back to 16-bit PCM.  Not every browser plays G.711 WAVs; for listening,
    decode to PCM and use :func:`wav_bytes`.

    References
    ----------
    ITU-T Recommendation G.711, "Pulse code modulation (PCM) of voice
    frequencies", 1988.
    """
    key = law.lower() if isinstance(law, str) else law
    if key not in _G711:
        raise AudioInputError(f"law={law!r} is not a G.711 law; use 'mu' (mu-law) or 'a' (A-law).")
    subtype, format_tag = _G711[key]
    x = _as_channels_first(codes_or_pcm)
    if x.dtype == np.uint8:
        return _g711_wav_from_codes(x, _check_rate(sample_rate), format_tag)
    if x.dtype.kind in "iu":
        if x.min() < -32768 or x.max() > 32767:
            raise AudioInputError(
                "Integer input to g711_wav_bytes is read as 16-bit PCM, but its values reach "
                f"{x.min()} .. {x.max()}; they must lie in -32768 .. 32767 (or pass uint8 G.711 codes)."
            )
        pcm = x.astype(np.int16)
    else:
        pcm = (_to_int32(_float_channels(x), 16) >> 16).astype(np.int16)
    return _soundfile_wav(_match_reference_g711(pcm, key), sample_rate, subtype)


def _match_reference_g711(pcm: np.ndarray, law: str) -> np.ndarray:
    """Move int16 PCM within its G.711 input cell so libsndfile encodes it like ``g711.c``."""
    if law == "mu":
        return pcm & np.int16(~3)
    return np.where(pcm < 0, (pcm & np.int16(~7)) + np.int16(7), pcm).astype(np.int16)


def _container(bits) -> tuple[int, str]:
    if not isinstance(bits, (int, np.integer)) or isinstance(bits, bool) or not 1 <= bits <= 32:
        raise AudioInputError(f"bits={bits!r} cannot be written to a WAV; use a whole number from 1 to 32.")
    return next((size, subtype) for size, subtype in _CONTAINERS if bits <= size)


def _check_rate(sample_rate) -> int:
    """Return ``sample_rate`` as an int if it is a whole number of Hz in range."""
    ok = isinstance(sample_rate, (int, float, np.integer, np.floating)) and not isinstance(sample_rate, bool)
    if not (ok and float(sample_rate).is_integer() and MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE):
        raise AudioInputError(
            f"sample_rate={sample_rate!r} is not usable; give a whole number of Hz from "
            f"{MIN_SAMPLE_RATE:,} to {MAX_SAMPLE_RATE:,}."
        )
    return int(sample_rate)


def _as_channels_first(y) -> np.ndarray:
    """Validate the shape of ``(n,)`` / ``(channels, n)`` real audio; return it 2-D."""
    a = np.asarray(y)
    if a.dtype.kind not in "iuf":
        raise AudioInputError(f"Audio must be an array of real numbers, got dtype {a.dtype}.")
    if a.ndim == 1:
        a = a[np.newaxis]
    if a.ndim != 2 or a.shape[1] == 0:
        raise AudioInputError(f"Audio must have shape (n,) or (channels, n) with n >= 1, got {a.shape}.")
    if a.shape[0] > a.shape[1]:
        raise AudioInputError(
            f"Audio of shape {a.shape} has more channels than samples; quantviz uses (channels, n), "
            f"so transpose it (to {a.shape[::-1]})."
        )
    return a


def _float_channels(y) -> np.ndarray:
    a = _as_channels_first(y).astype(np.float64)
    if not np.isfinite(a).all():
        raise AudioInputError("Audio contains NaN or infinite values; only finite samples can be written.")
    return a


def _to_int32(y: np.ndarray, container: int) -> np.ndarray:
    """Round to ``container`` bits, clip (no wrap) and left-align in int32."""
    full = 2.0 ** (container - 1)
    ints = np.clip(np.round(y * full), -full, full - 1).astype(np.int32)
    return ints << (32 - container)


def _soundfile_wav(ints: np.ndarray, sample_rate: int, subtype: str) -> bytes:
    """Write integer ``(channels, n)`` samples as a WAV through libsndfile."""
    buf = io.BytesIO()
    sf.write(buf, np.ascontiguousarray(ints.T), _check_rate(sample_rate), format="WAV", subtype=subtype)
    return buf.getvalue()


def _g711_wav_from_codes(codes: np.ndarray, rate: int, format_tag: int) -> bytes:
    """Wrap G.711 code bytes in a RIFF/WAVE header (fmt + fact + data)."""
    channels, n = codes.shape
    fmt = struct.pack("<HHIIHHH", format_tag, channels, rate, rate * channels, channels, 8, 0)
    chunks = b"".join(
        [_riff_chunk(b"fmt ", fmt), _riff_chunk(b"fact", struct.pack("<I", n)),
         _riff_chunk(b"data", np.ascontiguousarray(codes.T).tobytes())]
    )
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def _riff_chunk(tag: bytes, body: bytes) -> bytes:
    return tag + struct.pack("<I", len(body)) + body + b"\0" * (len(body) % 2)


# --------------------------------------------------------------------------
# Listening helpers
# --------------------------------------------------------------------------


def peak_dbfs(x) -> float:
    """Peak level ``20 log10(max |x|)`` in dBFS; ``-inf`` for silence.

    Parameters
    ----------
    x : array_like
        Samples, any shape.

    Returns
    -------
    float
        0.0 for a full-scale peak, -60.0 for a peak of 0.001.
    """
    return _to_db(np.max(np.abs(np.asarray(x, dtype=np.float64)), initial=0.0))


def rms_dbfs(x) -> float:
    """RMS level ``20 log10(sqrt(mean(x**2)))`` in dBFS; ``-inf`` for silence.

    Parameters
    ----------
    x : array_like
        Samples, any shape (all are averaged together).

    Returns
    -------
    float
        Relative to an RMS of 1.0 (a full-scale square wave), so a full-scale
        sine reads -3.01 dBFS.

    Notes
    -----
    AES17 instead calls the full-scale sine 0 dB; add 3.01 dB for that scale.
    """
    a = np.asarray(x, dtype=np.float64)
    return _to_db(np.sqrt(np.mean(a * a)) if a.size else 0.0)


def _to_db(amplitude) -> float:
    with np.errstate(divide="ignore"):
        return float(20.0 * np.log10(amplitude))


def limit(y, ceiling_db: float = -1.0) -> tuple[np.ndarray, float]:
    """Turn an excerpt down (never up) so its peak stays at or below a ceiling.

    Meant for the "error alone, +G dB" player: after amplifying the error,
    pass it through ``limit`` so a loud error cannot blast the listener.

    Parameters
    ----------
    y : array_like
        Audio, any shape.
    ceiling_db : float
        Highest allowed peak in dBFS, at most 0 (default -1).

    Returns
    -------
    y_limited : ndarray
        ``float64`` copy of ``y``, scaled by one gain for the whole excerpt.
    gain_reduction_db : float
        How many dB it was turned down (>= 0; 0 when the peak was already
        below the ceiling).  Show it next to the player.

    Notes
    -----
    One gain for the whole excerpt (a peak normaliser acting downward only)
    keeps the waveform, and so the character of the error, unchanged.
    """
    if not (isinstance(ceiling_db, (int, float)) and math.isfinite(ceiling_db) and ceiling_db <= 0):
        raise AudioInputError(f"ceiling_db={ceiling_db!r} must be a finite level of at most 0 dBFS.")
    a = np.array(y, dtype=np.float64)
    if not np.isfinite(a).all():
        raise AudioInputError("Audio contains NaN or infinite values; cannot set a safe level.")
    peak = np.max(np.abs(a), initial=0.0)
    ceiling = 10.0 ** (ceiling_db / 20.0)
    if peak <= ceiling:
        return a, 0.0
    return a * (ceiling / peak), float(20.0 * np.log10(peak / ceiling))


def excerpt(samples, sample_rate: int, start_s: float, length_s: float) -> tuple[np.ndarray, float, float]:
    """Cut a time window out of audio, clamping it to the signal.

    Parameters
    ----------
    samples : ndarray
        Audio of shape ``(n,)`` or ``(channels, n)``; time is the last axis.
    sample_rate : int
        Samples per second, 1 000 to 384 000.
    start_s, length_s : float
        Requested start and length in seconds.  The length is clamped to
        between one sample and the whole signal, then the start is clamped
        so that the window fits (a window asked for past the end slides back).

    Returns
    -------
    segment : ndarray
        A view ``samples[..., i0:i0 + m]`` (copy it before editing).
    start_s : float
        Actual start, ``i0 / sample_rate``.
    length_s : float
        Actual length, ``m / sample_rate``.
    """
    a = np.asarray(samples)
    if a.ndim not in (1, 2) or a.shape[-1] == 0:
        raise AudioInputError(f"Audio must have shape (n,) or (channels, n) with n >= 1, got {a.shape}.")
    sample_rate = _check_rate(sample_rate)
    if not (math.isfinite(start_s) and math.isfinite(length_s) and length_s > 0):
        raise AudioInputError(
            f"Excerpt start={start_s!r} s and length={length_s!r} s must be finite, with a positive length."
        )
    n = a.shape[-1]
    m = min(max(1, round(length_s * sample_rate)), n)
    i0 = min(max(0, round(start_s * sample_rate)), n - m)
    return a[..., i0 : i0 + m], i0 / sample_rate, m / sample_rate
