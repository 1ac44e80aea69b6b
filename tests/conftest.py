"""Hypothesis profiles.

``make test`` (and CI) runs the property tests on a fixed set of examples (profile "ci", derandomized): a red
run lands nothing, so the examples must not change from one run to the next. New examples are searched for on
purpose with ``make test-explore`` (profile "explore": new random examples on every run, 1,000 for a test that
does not set its own number); each failure it finds becomes an explicit regression test before its fix (e.g.
SmoothQuant with a subnormal weight maximum, found on CI before this profile existed).
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
