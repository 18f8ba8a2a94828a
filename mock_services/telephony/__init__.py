"""telephony: the carrier and national 112 routing, a SIP proxy over TCP.

112 goes to meldkamer-<region> by X-Caller-Region, re-routed to the region's backup when the
primary gives no final answer within the link's timeout or answers 5xx (policy fallback
`backup-region`); 0900-8844 and 088 go to police-contact-centre; anything else is 404.
`python -m mock_services.telephony --config FILE`.
"""
