"""A synthetic ClinicalTrials.gov registry, calibrated on real records, for benchmarks at scale.

``kg synth generate 100000 -o registry.zip`` writes API v2 studies in the bulk-download zip layout.
Their distributions (sponsors, collaborators and sites per trial with the sites' long tail,
interventions, conditions, references, text lengths, coded values, the share with results) are
fitted on real records (``kg synth fit``), and names recur across trials with a Zipf-like skew.
Nothing of a real record is copied: the parameters are aggregate statistics, the words are made up.

- :mod:`kg.synth.observe` measures study objects, :mod:`kg.synth.fit` fits the parameters,
- :mod:`kg.synth.generate` makes studies, :mod:`kg.synth.write` writes the zip or NDJSON,
- :mod:`kg.synth.compare` tables synthetic against real distributions.
"""

from kg.synth.compare import compare_table, compare_with_real
from kg.synth.fit import (
    DEFAULT_PARAMS,
    find_records,
    fit_params,
    load_params,
    read_studies,
    save_params,
)
from kg.synth.generate import Generator, nct_id
from kg.synth.observe import Observations
from kg.synth.write import Layout, iter_documents, member_name, write_ndjson, write_zip

__all__ = [
    "DEFAULT_PARAMS",
    "Generator",
    "Layout",
    "Observations",
    "compare_table",
    "compare_with_real",
    "find_records",
    "fit_params",
    "iter_documents",
    "load_params",
    "member_name",
    "nct_id",
    "read_studies",
    "save_params",
    "write_ndjson",
    "write_zip",
]
