"""Moving off Plone: read a Plone site's export and import it into a tenant."""

from cms.plone.importer import IMPORTER, ImportReport, import_plone
from cms.plone.source import ExportError

__all__ = ["IMPORTER", "ExportError", "ImportReport", "import_plone"]
