"""Outputs beyond channels: read-only consumers of the state database and the incident facts.

``outputs.site`` renders the static history site and its Atom feeds; ``outputs.story`` writes the news-story draft
of an incident or event. Neither sends anything: channels deliver, outputs only write files or text.
"""
