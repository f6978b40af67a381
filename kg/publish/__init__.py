"""Publishing the graph as linked data: dumps, JSON-LD, the dataset description, and a server.

* :mod:`kg.publish.export`: RDF dumps in every format, streamed from the store.
* :mod:`kg.publish.jsonld`: JSON-LD compacted with the shipped context.
* :mod:`kg.publish.schemaorg`: the schema.org JSON-LD a search engine reads.
* :mod:`kg.publish.void`: the VoID/DCAT description generated from the data.
* :mod:`kg.publish.server`: ``kg serve`` (content negotiation, HTML pages, SPARQL endpoint).
"""

from kg.publish.export import Dump, ExportFormat, export, export_file, read_dump
from kg.publish.jsonld import Compactor, load_context, write_jsonld
from kg.publish.schemaorg import resource_document, trial_document
from kg.publish.void import collect_statistics, describe_dataset

__all__ = [
    "Compactor",
    "Dump",
    "ExportFormat",
    "collect_statistics",
    "describe_dataset",
    "export",
    "export_file",
    "load_context",
    "read_dump",
    "resource_document",
    "trial_document",
    "write_jsonld",
]
