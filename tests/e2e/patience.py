"""How long an end-to-end test waits for what a user waits for before calling it lost.

A bound, never a pause: a passing test waits only until the card or message is there. It is long
because a loaded CI machine can take many seconds to render a card; CME_E2E_PATIENCE (seconds) sets it.
"""

import os

PATIENCE_S = float(os.environ.get("CME_E2E_PATIENCE", "60"))
PATIENCE_MS = int(PATIENCE_S * 1000)
