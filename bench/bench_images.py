"""Images engine speed, as ratios against Pillow measured in the same run (medians of repeats).

- Floyd–Steinberg to 1 bit on a 1024×1024 grey image: ``quantviz.error_diffusion`` (float
  input in [0, 1], float output) vs Pillow's C ``Image.convert("1")`` on the same image as
  8-bit grey (budget ≤ 2×, issue #13). The natural image is the camera photo resized with
  Lanczos; the noise image is uniform white noise.
- For context: other kernels, serpentine, 4 levels, RGB, blue-noise ordered dither, JPEG.
- The page's metrics (SSIM with its map, CIEDE2000 per pixel) against scikit-image's, on the default picture.
Run: .venv/bin/python bench/bench_images.py
"""

import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import quantviz as qv  # noqa: E402
from quantviz.image_dither import ordered_dither  # noqa: E402
from quantviz.jpeg import jpeg_quantize  # noqa: E402
from timing import median_ms  # noqa: E402


def main():
    from skimage import data

    cam = Image.fromarray(data.camera()).resize((1024, 1024), Image.Resampling.LANCZOS)
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 256, (1024, 1024), dtype=np.uint8))
    print("## Floyd–Steinberg to 1 bit, 1024×1024 grey (median of 15)")
    worst = 0.0
    for name, im in (("camera", cam), ("noise", noise)):
        x = np.asarray(im) / 255.0
        t_pil = median_ms(lambda: im.convert("1"), 15)
        t_ours = median_ms(lambda: qv.error_diffusion(x, 2), 15)
        worst = max(worst, t_ours / t_pil)
        print(f"{name:7s} Pillow convert('1') {t_pil:6.1f} ms   quantviz {t_ours:6.1f} ms   "
              f"{t_ours / t_pil:.2f}×  (budget ≤ 2×) {'OK' if t_ours / t_pil <= 2 else 'OVER'}")

    x = np.asarray(cam) / 255.0
    rgb = np.repeat(x[:, :, None], 3, axis=2)
    t_pil = median_ms(lambda: cam.convert("1"), 9)
    print("\n## for context (ratio to Pillow's FS above)")
    for label, fn in (
        ("FS serpentine", lambda: qv.error_diffusion(x, 2, serpentine=True)),
        ("FS 4 levels", lambda: qv.error_diffusion(x, 4)),
        ("JJN", lambda: qv.error_diffusion(x, 2, "jarvis-judice-ninke")),
        ("Atkinson", lambda: qv.error_diffusion(x, 2, "atkinson")),
        ("FS RGB 1024²×3", lambda: qv.error_diffusion(rgb, 2)),
        ("Bayer 8", lambda: ordered_dither(x, 2, 8)),
        ("blue noise", lambda: ordered_dither(x, 2, matrix="blue-noise")),
        ("JPEG q=75", lambda: jpeg_quantize(x, 75)),
    ):
        t = median_ms(fn, 5)
        print(f"{label:16s} {t:7.1f} ms   {t / t_pil:5.2f}×")

    # The Images page's metrics on its default picture, against scikit-image (the tests' reference) in one run.
    from skimage.color import deltaE_ciede2000, rgb2lab
    from skimage.metrics import structural_similarity

    from quantviz import image_metrics

    a = data.astronaut() / 255.0
    q = qv.image_dither.dither_image(a, 8, "floyd-steinberg")
    ya, yq = image_metrics.luma(a), image_metrics.luma(q)
    lab = image_metrics.srgb_to_lab(a)
    moments = image_metrics.ssim_moments(ya)
    print("\n## metrics, astronaut 512×512 at 3 bits + FS (median of 7): quantviz vs scikit-image")
    for label, ours, ref in (
        ("SSIM + map (luma)", lambda: image_metrics.ssim(ya, yq),
         lambda: structural_similarity(ya, yq, data_range=1, gaussian_weights=True, sigma=1.5,
                                       use_sample_covariance=False, full=True)),
        ("SSIM, x's moments kept", lambda: image_metrics.ssim(ya, yq, x_moments=moments),
         lambda: structural_similarity(ya, yq, data_range=1, gaussian_weights=True, sigma=1.5,
                                       use_sample_covariance=False, full=True)),
        ("ΔE00 per pixel (x's Lab kept)", lambda: image_metrics.delta_e_2000_image(None, q, lab1=lab),
         lambda: deltaE_ciede2000(lab, rgb2lab(q))),
    ):
        t_ours, t_ref = median_ms(ours, 7), median_ms(ref, 7)
        print(f"{label:30s} quantviz {t_ours:6.1f} ms   scikit-image {t_ref:6.1f} ms   {t_ours / t_ref:.2f}×")
    return worst


if __name__ == "__main__":
    main()
