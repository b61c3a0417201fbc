"""The approval routing engine.

Pure ``advance(instance, event, flow, now)``: no database, clock or settings.
"""
