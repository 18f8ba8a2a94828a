"""police-contact-centre: answers 0900-8844 and 088 calls (SIP), and needs police-ict.

Every call is checked against police-ict first (its directory); while police-ict fails the
calls are refused with 503, which is how the 2020 outage of 088/0900 shows up.
"""

from __future__ import annotations

from mock_services.core.call_centre import CallCentre
from mock_services.core.runtime import main


class PoliceContactCentre(CallCentre):
    kind = "police-contact-centre"


if __name__ == "__main__":
    main(PoliceContactCentre)
