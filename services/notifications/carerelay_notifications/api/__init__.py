"""The notifications API: the live stream every screen subscribes to, and who was told what."""

from __future__ import annotations

from . import messages, stream

routers = [messages.router, stream.router]
