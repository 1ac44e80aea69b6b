"""Images page: bits slider → updated page vs the trivial page, and bytes per move.

Budget (issue #13): within 1.5× of the trivial page for the default 512×512 astronaut, within 2× for a 12 MP
upload; ≤ 300 KiB over the WebSocket per interaction (the pictures themselves are PNG media files fetched over
HTTP, not WebSocket frames). Cases (pick with arguments, default all):
  1  the default image as it opens (views: the error image), no / TPDF / Bayer 4×4 dither, one per round;
  2  the same with Floyd–Steinberg (a sequential, compiled kernel), serpentine off/on;
  3  a 12 MP (4000×3000) JPEG upload, reduced to 0.52 MP (836 × 627, images_io.DEFAULT_WORK_PIXELS) for work, a new upload every round.
Run: .venv/bin/python bench/bench_images_page.py [1] [2] [3]
"""

import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from pagebench import ROOT, report, run_pair

DROPZONE = "[data-testid='stFileUploaderDropzoneInput']"


def make_jpeg(path: Path, width=4000, height=3000, seed=0) -> Path:
    """A 12 MP photo-like JPEG: the astronaut enlarged (Lanczos) with a little sensor noise, quality 90."""
    from skimage import data

    big = Image.fromarray(data.astronaut()).resize((width, height), Image.Resampling.LANCZOS)
    noise = np.random.default_rng(seed).normal(0, 3, (height, width, 3))
    a = np.clip(np.asarray(big, dtype=np.float64) + noise, 0, 255).astype(np.uint8)
    Image.fromarray(a).save(path, "JPEG", quality=90)
    return path


if __name__ == "__main__":
    which = set(sys.argv[1:]) or {"1", "2", "3"}
    ratios = {}
    if "1" in which:  # bits 8 → 1: every move a new setting in the first round; three dithers, three rounds
        paths = [f"/Images?bits=8&dither={d}" for d in ("none", "tpdf", "bayer-4")]
        trivial, target = run_pair(str(ROOT / "app.py"), paths, "Bits per channel", "PSNR", moves=7)
        ratios["default"] = report("Images page, astronaut 512×512 RGB, bits slider (as it opens)", trivial, target,
                                   budget_ratio=1.5)
    if "2" in which:
        paths = [f"/Images?bits=8&dither=floyd-steinberg&serpentine={s}" for s in ("false", "true", "false")]
        trivial, target = run_pair(str(ROOT / "app.py"), paths, "Bits per channel", "PSNR", moves=7)
        ratios["floyd-steinberg"] = report("Images page, Floyd–Steinberg", trivial, target, budget_ratio=1.5)
    if "3" in which:
        with tempfile.TemporaryDirectory() as tmp:
            files = [make_jpeg(Path(tmp) / f"photo{i}.jpg", seed=i) for i in range(3)]  # a new upload every round
            queue = list(files)

            def upload(page):
                page.locator(DROPZONE).set_input_files(str(queue.pop(0)), timeout=120_000)

            trivial, target = run_pair(str(ROOT / "app.py"), "/Images?source=upload&bits=8", "Bits per channel",
                                       "PSNR", moves=7, prepare=upload)
            ratios["12 MP upload"] = report("Images page, 12 MP JPEG upload (836×627 work image)", trivial, target,
                                            budget_ratio=2.0)
    print("\n" + "; ".join(f"{k}: {v:.2f}×" for k, v in ratios.items()))
