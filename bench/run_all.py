"""Run every benchmark in bench/ and print their reports (`make bench`).

Each script reports ratios against a reference measured in the same run, so
the figures compare across machines and loads; absolute milliseconds are for
context only. The full output is also written to bench/results/latest.txt.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    out = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"# {script.name}", flush=True)
        r = subprocess.run([sys.executable, str(script)], cwd=HERE, capture_output=True, text=True)
        text = r.stdout + (f"\n[exit {r.returncode}]\n{r.stderr[-2000:]}" if r.returncode else "")
        print(text, flush=True)
        out.append(f"# {script.name}\n{text}")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "latest.txt").write_text("\n".join(out))


if __name__ == "__main__":
    main()
