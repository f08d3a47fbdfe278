"""Moving off Plone: read a Plone site's export and import it into a tenant."""

from importers.plone.importer import IMPORTER, ImportReport, import_plone
from importers.plone.source import ExportError

__all__ = ["IMPORTER", "ExportError", "ImportReport", "import_plone"]
