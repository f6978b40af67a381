"""MeSH unique identifiers as NLM writes them, so one descriptor is one IRI across trials.

NLM widened MeSH unique identifiers from a letter and 6 digits to a letter and 9 digits for records
created from 2014 on, continuing the same number sequence and leaving the existing identifiers as
they were ("If D009710 is the last descriptor UI ..., then the next descriptor UI would be
D000009711": NLM Technical Bulletin 2013 Mar-Apr (391), "MeSH Unique Identifiers: Length Expanding
to Ten Characters", https://www.nlm.nih.gov/pubs/techbull/ma13/ma13_mesh_ui_expand.html).

So a 9-digit number an old record already had is not a new identifier but the old one padded with
zeros: ClinicalTrials.gov writes ``D000011471`` for NLM's ``D011471`` (Prostatic Neoplasms) in some
records and ``D011471`` in others. Its real 9-digit identifiers start where the 6-digit ones ended:
``D000066388`` (Oil and Gas Industry), ``D000071939``, ``C000588642`` are NLM's own.

The last old numbers, from NLM's records: descriptors ``D066309`` is 7 characters and
``D000066388`` is 10; supplementary concepts ``C587014`` is 7 and ``C000588642`` is 10; qualifiers
``Q000941`` was 7 (the bulletin's example). A padded number up to the last known old one is
written with 6 digits; one between that and the first known new one is left as the source writes
it (neither form can be proven); a larger one is a real 9-digit identifier. In the shared records
the padded descriptors end at ``D000065627`` and the real ones start at ``D000067856`` (padded
supplementary concepts end at ``C000582435``, real ones start at ``C000591245``).
"""

from __future__ import annotations

import re

__all__ = ["LAST_SIX_DIGIT", "canonical_mesh_id"]

LAST_SIX_DIGIT = {"D": 66309, "C": 587014, "Q": 941}
"""Per record type, the largest number known to have a 6-digit identifier at NLM."""

_UI = re.compile(r"([CDQ])(\d{6}|\d{9})")


def canonical_mesh_id(text: str) -> str:
    """Return NLM's form of a MeSH unique identifier: padded old numbers lose their zeros.

    >>> canonical_mesh_id("D000011471"), canonical_mesh_id("D011471")
    ('D011471', 'D011471')
    >>> canonical_mesh_id("D000071939"), canonical_mesh_id("C000582435")
    ('D000071939', 'C582435')

    Text that is no MeSH unique identifier is returned stripped and otherwise unchanged.
    """
    text = text.strip()
    m = _UI.fullmatch(text)
    if m is None:
        return text
    letter, digits = m.groups()
    number = int(digits)
    if len(digits) == 9 and number <= LAST_SIX_DIGIT[letter]:
        return f"{letter}{number:06d}"
    return text
