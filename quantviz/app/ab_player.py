"""The A/B player: one ``<audio>`` element whose source switches in place, at the same playback position.

``st.audio`` cannot do it: a new WAV is a new element state, so the browser's
player restarts at 0 s, paused (measured, Streamlit 1.67). This player is a
``st.components.v2`` component (in the page, no iframe, no network): the page
passes the URL of the WAV to play and an *excerpt* id; the component's script
keeps the one ``<audio>`` element across reruns, and when the URL changes
while the excerpt stays the same (A/B switch, a new bit depth, dither …) it
loads the new file, seeks to where the old one was and goes on playing if it
was playing. A new excerpt starts at 0 s. The element's ``preload`` is
"none" (a Chromium trace showed a request for the new excerpt WAV, ~0.4 MB
for 4 s at 48 kHz, on every settings move with "metadata" as with "auto", served
by the same server process while the page redraws), so the file is fetched when
it plays; a switch in place sets "auto" to get the new
file's metadata and seek. Until it first plays, the player shows no duration.

The WAV is served by Streamlit's media file manager (what ``st.audio`` uses),
so only its URL (~60 bytes) goes over the WebSocket; the browser fetches the
file over HTTP. One file per session is kept under a fixed coordinate, so a
new one replaces the last (the manager deletes it once no run refers to it).
"""

from __future__ import annotations

import json

import streamlit as st
from streamlit import runtime

_HTML = '<div class="qv-ab"><audio controls loop preload="none"></audio></div>'
_CSS = ".qv-ab audio { width: 100%; height: 40px; display: block; }"
_JS = """
export default function (component) {
  const { data, parentElement } = component;
  const audio = parentElement.querySelector("audio");
  if (!audio || !data) return;
  audio.dataset.source = data.source;              // what is audible: original | quantized | error
  audio.setAttribute("aria-label", data.label);
  if (audio.dataset.url === data.url) return;      // the same file: nothing to do, it keeps playing
  const sameExcerpt = audio.dataset.excerpt === data.excerpt;
  const t = audio.currentTime, playing = !audio.paused && !audio.ended;
  audio.dataset.url = data.url;
  audio.dataset.excerpt = data.excerpt;
  audio.dataset.switches = String(Number(audio.dataset.switches || 0) + 1);
  const inPlace = sameExcerpt && (t > 0 || playing);
  // Nothing is fetched until it plays (preload "none": a bits move while paused costs no download), except
  // for a switch in place, which needs the new file's metadata to seek to where the old one was.
  audio.preload = inPlace ? "auto" : "none";
  audio.src = data.url;
  if (inPlace) {                                   // switch in place: same position, same play state
    audio.addEventListener("loadedmetadata", () => {
      audio.currentTime = Math.min(t, Math.max(audio.duration - 0.01, 0));
      if (playing) audio.play().catch(() => {});
    }, { once: true });
  }
}
"""
_COMPONENT = st.components.v2.component("quantviz.ab_player", html=_HTML, css=_CSS, js=_JS)
COORDINATES = "quantviz.ab_player"  # one media file per session: a new WAV replaces the last


def media_url(data: bytes, mimetype: str = "audio/wav") -> str:
    """Register ``data`` with Streamlit's media file manager and return the URL the browser fetches.

    The URL carries the server's ``server.baseUrlPath`` (``st.audio``'s frontend adds it itself).
    Outside a running Streamlit (a bare script) there is nothing to serve: returns "".
    """
    if not runtime.exists():
        return ""
    url = runtime.get_instance().media_file_mgr.add(data, mimetype, COORDINATES)
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{url}" if base and url.startswith("/") else url


def ab_player(wav: bytes, source: str, excerpt: tuple, label: str, key: str = "ab_player"):
    """Draw the A/B player playing ``wav`` (already at true level), switching in place.

    Parameters
    ----------
    wav : bytes
        The WAV of the chosen source.
    source : str
        Its name (``"original"``, ``"quantized"``, ``"error"``), written on the element as
        ``data-source`` (tests read it).
    excerpt : tuple
        What identifies the excerpt (e.g. (clip, start, length)): while it is unchanged a new
        ``wav`` continues at the current position; a new excerpt starts at 0 s.
    label : str
        Accessible name of the player.
    """
    data = {"url": media_url(wav), "source": source, "excerpt": json.dumps(list(excerpt)), "label": label}
    return _COMPONENT(key=key, data=data)
