"""The engine never imports Streamlit (only ``quantviz.ui`` and ``quantviz.cached`` may)."""

import subprocess
import sys
import textwrap


def test_engine_modules_do_not_import_streamlit():
    code = textwrap.dedent("""
        import importlib, pkgutil, sys
        import quantviz
        names = []
        for m in pkgutil.walk_packages(quantviz.__path__, "quantviz."):
            if m.name == "quantviz.ui" or m.name.split(".")[1] == "cached":  # the Streamlit side
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
