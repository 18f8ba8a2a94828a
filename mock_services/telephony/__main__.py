from mock_services.core.runtime import main
from mock_services.telephony.service import Telephony

main(Telephony)
