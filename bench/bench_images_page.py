"""Images page, default 512×512 astronaut: bits slider → updated page vs the trivial page, and bytes per move.

Budget (issue #13): within 1.5× of the trivial page for the default image; ≤ 300 KiB over the WebSocket per
interaction (the pictures themselves are PNG media files fetched over HTTP, not WebSocket frames).
Measured with no dither (as it opens) and with Floyd–Steinberg (a sequential, compiled kernel).
Run: .venv/bin/python bench/bench_images_page.py
"""

from pagebench import ROOT, report, run_pair

if __name__ == "__main__":
    # bits 8 → 1 and back: every move a new setting in the first round; three dithers, three rounds.
    paths = [f"/Images?bits=8&dither={d}" for d in ("none", "tpdf", "bayer-4")]
    trivial, target = run_pair(str(ROOT / "app.py"), paths, "Bits per channel", "PSNR", moves=7)
    ratio = report("Images page, astronaut 512×512 RGB, bits slider (as it opens)", trivial, target, budget_ratio=1.5)
    paths = [f"/Images?bits=8&dither=floyd-steinberg&serpentine={s}" for s in ("false", "true", "false")]
    trivial, target = run_pair(str(ROOT / "app.py"), paths, "Bits per channel", "PSNR", moves=7)
    fs = report("Images page, Floyd–Steinberg", trivial, target, budget_ratio=1.5)
    print(f"\nno/random/ordered dither: {ratio:.2f}×; Floyd–Steinberg: {fs:.2f}×")
