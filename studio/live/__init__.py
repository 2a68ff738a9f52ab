"""The live path: WebSocket consumer, per-process fan-out, presence and occupancy.

Everything that runs per connection or per broadcast lives here; the HTTP views import
only `studio.live.broadcast` (to tell connected clients about a change).
"""
