"""Handlers: one module (or package) per flow; they parse what a person sent and answer them.
The order they are tried in is `bot/flows.py: FLOWS`."""
