"""The inbox's and ``cmcc import``'s importers, one module per kind (headlines, incidents, aid, roster).

``feeds.importers.registry`` lists them (kind -> ``Importer``); ``feeds.importers.base`` says what
an importer is; ``feeds.importers.columns`` is what the ``cmcc import`` commands share. This package
imports nothing, so importing one importer never loads the others.
"""
