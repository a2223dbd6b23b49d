"""What the open data is published under, and its DCAT-AP-SE catalogue (RDF/XML at
/datasets/dcat) for dataportal.se to harvest."""

from __future__ import annotations

# The registers are the organisations' own public records: CC0, as DIGG recommends for
# Swedish public-sector open data. The pairs reported by Wikipedia contributors keep
# their licence, CC BY-SA 4.0.
LICENSE_NAME = "CC0 1.0 Universal (reported pairs: CC BY-SA 4.0)"
LICENSE_URI = "http://creativecommons.org/publicdomain/zero/1.0/"
PAIRS_LICENSE_URI = "https://creativecommons.org/licenses/by-sa/4.0/"
