"""The one rule for a page's state: what the widgets show, what the URL holds and what is computed are one dict.

Pure Python (no Streamlit), so the rule is testable on its own; :mod:`quantviz.app.ui`
applies it on every run. A page declares its *fields* (:class:`Field`: default
and what is allowed); then

- :func:`parse_query` turns an address bar into values (invalid entries are
  dropped and named, never silently replaced);
- :func:`to_query` turns values into the address bar: **every value that
  differs from the page's own default, and nothing else**, so a link never
  depends on which option a widget happens to list first;
- :func:`reconcile` decides, at the start of a run, which values the page uses:
  the page's stored values updated by the widgets the user just moved, or a
  fresh start from the URL when the address bar was changed from outside
  (a permalink opened in a new tab, a link into the page from another page).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

# Parameters Streamlit itself reads from the address bar; kept as they are.
RESERVED = ("embed", "embed_options")


@dataclass(frozen=True)
class Field:
    """One piece of page state: its default and what values are allowed.

    ``options``: the allowed values (for a list-valued field, the allowed items);
    ``lo``/``hi``: the closed range of a numeric field. A bool, int, float, str
    or list default fixes the field's type.
    """

    default: Any
    options: tuple | None = None
    lo: float | None = None
    hi: float | None = None

    def __post_init__(self):
        err = self.check(self.default)
        if err:
            raise ValueError(f"default {self.default!r}: {err}")

    def check(self, value) -> str:
        """'' if ``value`` is allowed for this field, else why not."""
        if isinstance(self.default, list):
            if not isinstance(value, (list, tuple)):
                return "must be a list"
            bad = [v for v in value if self.options is not None and v not in self.options]
            return f"unknown item(s) {', '.join(map(str, bad))}" if bad else ""
        if self.options is not None:
            return "" if value in self.options else "must be one of " + ", ".join(map(str, self.options))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value):
                return "must be a finite number"
            if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
                return f"must be within {self.lo:g}…{self.hi:g}"
        return ""


def _parse_one(text: str, like):
    """``text`` as the type of ``like``; ValueError if it is not one."""
    if isinstance(like, bool):
        if text.lower() in ("true", "1", "yes"):
            return True
        if text.lower() in ("false", "0", "no"):
            return False
        raise ValueError("must be true or false")
    if isinstance(like, int):
        f = float(text)
        if not f.is_integer():
            raise ValueError("must be a whole number")
        return int(f)
    if isinstance(like, float):
        return float(text)
    return text


def _item_type(field: Field):
    if field.options:
        return field.options[0]
    return ""


def parse_query(query: Mapping[str, list[str]], fields: Mapping[str, Field]) -> tuple[dict, list[str]]:
    """The page's values named in an address bar, and a message for each entry that was dropped.

    ``query`` maps each parameter to all its values (repeated parameters, as
    Streamlit's ``st.query_params.get_all`` gives them). A list field accepts
    repeated parameters or one comma-separated value; ``views=`` (empty) is the
    empty list. Unknown parameters are ignored (they may belong to another page).
    """
    values, problems = {}, []
    for key, texts in query.items():
        field = fields.get(key)
        if field is None or not texts:
            continue
        try:
            if isinstance(field.default, list):
                items = [t for text in texts for t in text.split(",") if t != ""]
                like = _item_type(field)
                value = [_parse_one(t, like) for t in items]
            else:
                value = _parse_one(texts[-1], field.default)
            err = field.check(value)
        except ValueError as exc:
            err = str(exc) if "must" in str(exc) else "not a number"
        if err:
            problems.append(f"`{key}={','.join(texts)}` ({err})")
        else:
            values[key] = value
    return values, problems


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)  # repr of a float: round-trips exactly


def differs(value, default) -> bool:
    """Whether a value is not the field's default (lists compared as sequences, bools as bools)."""
    if isinstance(default, list):
        return not isinstance(value, (list, tuple)) or list(value) != default
    if isinstance(default, bool):
        return bool(value) is not default
    return value != default


def non_defaults(values: Mapping, fields: Mapping[str, Field]) -> dict:
    """The values that differ from their field's default (what the URL must hold)."""
    return {k: v for k, v in values.items() if k in fields and differs(v, fields[k].default)}


def to_query(values: Mapping, fields: Mapping[str, Field]) -> dict[str, str | list[str]]:
    """The address-bar parameters for ``values``: every non-default value, in the fields' order.

    A list field is written as repeated parameters (``views=a&views=b``); the
    empty list, when it is not the default, as one empty parameter (``views=``).
    """
    out: dict[str, str | list[str]] = {}
    nd = non_defaults(values, fields)
    for key in fields:
        if key not in nd:
            continue
        v = nd[key]
        if isinstance(v, (list, tuple)):
            out[key] = [_text(i) for i in v] if v else [""]
        else:
            out[key] = _text(v)
    return out


def query_lists(query: Mapping[str, str | Iterable[str]]) -> dict[str, list[str]]:
    """A parameters mapping with every value as a list of strings (the form :func:`parse_query` takes)."""
    return {k: [v] if isinstance(v, str) else list(v) for k, v in query.items()}


def normalise(values: Mapping, fields: Mapping[str, Field]) -> dict:
    """Every field's value: the given one where allowed, otherwise the default (lists copied)."""
    out = {}
    for key, field in fields.items():
        v = values.get(key, field.default)
        if field.check(v):
            v = field.default
        out[key] = list(v) if isinstance(v, (list, tuple)) else v
    return out


@dataclass(frozen=True)
class Decision:
    """What a run starts from (see :func:`reconcile`)."""

    values: dict  # every field's value for this run
    overwrite: bool  # True: every widget must be set to ``values`` (a fresh start); False: widgets win
    problems: tuple = ()  # URL entries that were dropped, to tell the user


def reconcile(fields: Mapping[str, Field], stored: Mapping | None, url: Mapping[str, list[str]],
              entering: bool, seeded: Mapping | None = None) -> Decision:
    """Which values a run of a page starts from.

    - First visit of the page in this session, or entering it through a link
      that names parameters (a permalink): a fresh start from the page's defaults
      plus what the URL names, and every widget is set to it.
    - Coming back to a page through a link without parameters: the values the
      page had when the user left it (the URL is then rewritten to match).
    - Otherwise (a rerun of the page the user is on) the stored values, which the
      caller then updates from the widgets the user just moved. The address bar
      is *not* read then: it lags behind quick moves (the browser sends its URL
      with each rerun request, possibly before the previous run's rewrite reached
      it: two quick arrow-key presses on the bits slider reset it to the URL's
      value), so within a page the widgets are the truth and the URL follows them.

    ``seeded``: values set before the page's first run (e.g. by a test harness);
    on a first visit they take the place of the defaults, under the URL.
    """
    parsed, problems = parse_query(url, fields)
    named = {k for k in url if k in fields}
    if stored is None:
        return Decision(normalise({**(seeded or {}), **parsed}, fields), True, tuple(problems))
    if entering and not named:
        return Decision(normalise(stored, fields), True)
    if entering:
        return Decision(normalise(parsed, fields), True, tuple(problems))
    return Decision(normalise(stored, fields), False)
