from mock_services.core.runtime import main
from mock_services.meldkamer.service import Meldkamer

main(Meldkamer)
