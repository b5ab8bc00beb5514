"""NEWS2, the Royal College of Physicians' National Early Warning Score 2 (2017 chart).

The chart lives in libs/events (`carerelay_events.news2`) so that scheduling (observations taken at
a visit) scores with the same code without depending on this service; triage uses it from here.
"""

from __future__ import annotations

from carerelay_events.news2 import News2, News2Band, score

__all__ = ["News2", "News2Band", "score"]
