"""kg: a knowledge graph of clinical trials, sponsors and publications.

Source readers yield typed records (:mod:`kg.model`), a pure mapping turns each record into triples
(:mod:`kg.mapping`), and sinks write them to a file or the embedded store (:mod:`kg.sinks`).
"""

from kg.build import BuildReport, build
from kg.errors import EndpointError, InputError, InvalidData, KgError, QueryError, UsageError
from kg.mapping import map_trial
from kg.sources import iter_input_files, read_records
from kg.terms import DEFAULT_BASE, Minter

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_BASE",
    "BuildReport",
    "EndpointError",
    "InputError",
    "InvalidData",
    "KgError",
    "Minter",
    "QueryError",
    "UsageError",
    "__version__",
    "build",
    "iter_input_files",
    "map_trial",
    "read_records",
]
