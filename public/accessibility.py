"""The facts of the accessibility statement (tillgänglighetsredogörelse) that are not the
organisation's own: how and when the service was evaluated, and where to complain.

DIGG's model statement asks for: who is behind the service, how accessible it is
(compliance level), what is not accessible, how to report problems and what happens
then, the supervisory authority, and how and when the service was evaluated.
"""

from datetime import date

# The law is lagen (2018:1937) om tillgänglighet till digital offentlig service.
COMPLIANCE = "partial"  # full | partial | none, in DIGG's words helt/delvis/inte förenlig
EVALUATED_ON = date(2026, 11, 28)
STATEMENT_UPDATED_ON = date(2026, 11, 28)
ANSWER_WITHIN_WORKING_DAYS = 5
DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan"
DIGG_ABOUT_URL = "https://www.digg.se/kunskap-och-stod/digital-tillganglighet"
