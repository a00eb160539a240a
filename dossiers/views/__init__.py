"""Pages of dossiers: entered figures (``figures``), dossier records and their lists
(``records``), the service index (``service_index``) and the working calendar
(``calendar``)."""
