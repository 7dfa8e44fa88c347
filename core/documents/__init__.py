"""网上资格审核 documents: what is required (``required``), safe processing of an upload (``processing``),
and the candidate's documents (``service``)."""
