"""The engine never imports Streamlit: only the ``quantviz.app`` subpackage (the Streamlit layer) may."""

import subprocess
import sys
import textwrap


def test_engine_modules_do_not_import_streamlit():
    code = textwrap.dedent("""
        import importlib, pkgutil, sys
        import quantviz
        names = []
        for m in pkgutil.walk_packages(quantviz.__path__, "quantviz."):
            if m.name.split(".")[1] == "app":  # the Streamlit layer: quantviz/app/
                continue
            importlib.import_module(m.name)
            names.append(m.name)
        assert "quantviz.quantizers" in names and "quantviz.analysis" in names, names
        bad = sorted(k for k in sys.modules if k == "streamlit" or k.startswith("streamlit."))
        assert not bad, bad
        print(len(names))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.split()[-1]) >= 10


def test_only_the_app_subpackage_mentions_streamlit():
    """The boundary is a folder: no module outside quantviz/app/ even names Streamlit in an import."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent / "quantviz"
    pattern = re.compile(r"^\s*(import|from)\s+streamlit\b", re.M)
    outside = [p for p in root.rglob("*.py") if "app" not in p.relative_to(root).parts[:1]]
    assert len(outside) >= 10
    offenders = [str(p.relative_to(root)) for p in outside if pattern.search(p.read_text())]
    assert not offenders, offenders
    inside = [p for p in (root / "app").rglob("*.py") if pattern.search(p.read_text())]
    assert inside, "the Streamlit layer is expected to live in quantviz/app/"


def test_every_page_in_the_navigation_exists():
    """The sidebar links are drawn only for scripts that exist under the repository root (a wrong root after the
    move to quantviz/app/ silently emptied the navigation)."""
    from quantviz.app import ui

    assert (ui._ROOT / "app.py").exists()
    missing = [path for path, _ in ui.PAGES if not (ui._ROOT / path).exists()]
    assert not missing, missing


def test_the_page_icon_needs_no_network():
    """Streamlit 1.67's frontend turns a ":material/…:" page icon into a fonts.gstatic.com URL (requested on every
    run, found in a browser trace); an emoji becomes an inline SVG. The app downloads nothing at run time."""
    from quantviz.app import ui

    assert not ui.PAGE_ICON.startswith(":"), ui.PAGE_ICON
    assert ":material/" not in "".join(line for line in (ui.__file__ and open(ui.__file__).read()).splitlines()
                                       if "set_page_config" in line)
