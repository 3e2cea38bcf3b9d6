"""The ModernGov fetcher: a council's committee papers from its ModernGov site into folders.

Inputs: the site's root URL (``https://democracy.example.gov.uk``), which committees and dates.
Outputs: ``DIR/<committee>/<YYYY-MM-DD>/`` folders, one file per document named after its title,
and a ``meeting.json`` in each (committee, date, status, the meeting's page, every agenda item
with its number, title and documents), which ``council index`` reads.

``client`` is the HTTP side (politeness, retries, conditional requests, caps, host-only);
``service`` reads the web service's XML, ``pages`` the public HTML pages where the service is
missing; ``writer`` names files safely and keeps the resumable state; ``fetch`` runs it all.
"""

from indexer.ingest.moderngov.client import FetchError, Politeness, SiteClient
from indexer.ingest.moderngov.fetch import FetchReport, fetch_site

__all__ = ["FetchError", "FetchReport", "Politeness", "SiteClient", "fetch_site"]
