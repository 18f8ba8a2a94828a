"""meldkamer-<region>: the call-taking positions of one regional dispatch centre.

Answers 112 calls (SIP), registers an incident in GMS for each established call (buffered
when GMS is unreachable, flushed later: no loss, no duplicates), and dispatches units over the
radio console, falling back to the radio sets in the room (straight to C2000).
`python -m mock_services.meldkamer --config FILE`.
"""
