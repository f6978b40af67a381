"""The NLM/Vancouver citation parser: the seed's reference, edge cases, every registry citation."""

from __future__ import annotations

import datetime
import functools
import json
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kg.model import Author, Citation, PartialDate
from kg.sources.citation import parse_citation

REPO = Path(__file__).resolve().parents[2]
CTGOV = REPO.parent / "shared" / "data" / "ctgov"

SEED = (
    "Pers YM, Soler-Rich R, Vadala G, Ferreira R, Duflos C, Picot MC, Herman F, Broussous S, "
    "Sanchez A, Noriega D, Ardura F, Alberca Zaballos M, Garcia V, Gordillo Cano V, "
    "Gonzalez-Vallinas M, Denaro V, Russo F, Guicheux J, Vilanova J, Orozco L, Meisel HJ, "
    "Alfonso M, Rannou F, Maugars Y, Berenbaum F, Barry FP, Tarte K, Louis-Plence P, "
    "Ferreira-Dos-Santos G, Garcia-Sancho J, Jorgensen C; RESPINE consortium. Allogenic bone "
    "marrow-derived mesenchymal stromal cell-based therapy for patients with chronic low back "
    "pain: a prospective, multicentre, randomised placebo controlled trial (RESPINE study). "
    "Ann Rheum Dis. 2024 Oct 21;83(11):1572-1583. doi: 10.1136/ard-2024-225771."
)
SEED_TITLE = (
    "Allogenic bone marrow-derived mesenchymal stromal cell-based therapy for patients with "
    "chronic low back pain: a prospective, multicentre, randomised placebo controlled trial "
    "(RESPINE study)"
)
MONTHS = ("", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@functools.cache
def registry_citations() -> tuple[tuple[str, str | None], ...]:
    """Return (citation, pmid) for every reference of every API v2 record in the shared data."""
    found = []
    for path in sorted(CTGOV.glob("*.json")):
        study = json.loads(path.read_text(encoding="utf-8"))
        module = study.get("protocolSection", {}).get("referencesModule", {})
        for ref in module.get("references", []):
            if "citation" in ref:
                found.append((ref["citation"], ref.get("pmid")))
    return tuple(found)


@functools.cache
def registry_parsed() -> tuple[tuple[Citation, str | None], ...]:
    return tuple((parse_citation(text), pmid) for text, pmid in registry_citations())


def share(field: str) -> float:
    parsed = registry_parsed()
    return sum(bool(getattr(c, field)) for c, _ in parsed) / len(parsed)


# --- the seed -------------------------------------------------------------------------------------


def test_seed_citation_fields() -> None:
    c = parse_citation(SEED)
    assert (c.text, c.title, c.journal, c.date) == (
        SEED,
        SEED_TITLE,
        "Ann Rheum Dis",
        PartialDate(2024, 10, 21),
    )
    assert (c.volume, c.issue, c.page_start, c.page_end) == ("83", "11", "1572", "1583")
    assert (c.doi, c.pmid, c.pmcid) == ("10.1136/ard-2024-225771", None, None)


def test_seed_has_31_persons_then_the_consortium_in_order() -> None:
    authors = parse_citation(SEED).authors
    assert len(authors) == 32
    assert [a.is_group for a in authors] == [False] * 31 + [True]
    assert authors[0] == Author(name="Pers YM", family="Pers", initials="YM")
    assert authors[30] == Author(name="Jorgensen C", family="Jorgensen", initials="C")
    assert authors[31] == Author(name="RESPINE consortium", is_group=True)


def test_seed_multiword_and_hyphenated_family_names() -> None:
    authors = {a.name: a for a in parse_citation(SEED).authors}
    assert authors["Alberca Zaballos M"] == Author("Alberca Zaballos M", "Alberca Zaballos", "M")
    assert authors["Gordillo Cano V"].family == "Gordillo Cano"
    assert authors["Ferreira-Dos-Santos G"] == Author(
        "Ferreira-Dos-Santos G", "Ferreira-Dos-Santos", "G"
    )


# --- hand-written edge cases ----------------------------------------------------------------------


def test_group_only_author() -> None:
    c = parse_citation(
        "RESPINE consortium. Cell therapy for back pain. Ann Rheum Dis. 2024;83:1-9."
    )
    assert c.authors == (Author(name="RESPINE consortium", is_group=True),)
    assert c.title == "Cell therapy for back pain"


def test_group_between_persons_keeps_order() -> None:
    c = parse_citation(
        "Radovich M, Zenklusen JC; Cancer Genome Atlas Network; Fujimoto J. T. J. 2018;1:2."
    )
    assert [a.name for a in c.authors] == [
        "Radovich M",
        "Zenklusen JC",
        "Cancer Genome Atlas Network",
        "Fujimoto J",
    ]
    assert [a.is_group for a in c.authors] == [False, False, True, False]


def test_no_authors_title_first() -> None:
    c = parse_citation("A trial of stem cells in back pain. Ann Rheum Dis. 2024;83(11):1572-83.")
    assert c.authors == ()
    assert (c.title, c.journal) == ("A trial of stem cells in back pain", "Ann Rheum Dis")


def test_et_al_is_not_an_author() -> None:
    c = parse_citation("Smith J, Jones K, et al. Outcomes. Lancet. 2019;393:10-5.")
    assert [a.name for a in c.authors] == ["Smith J", "Jones K"]
    assert c.title == "Outcomes"


def test_suffix_stays_in_name_not_initials() -> None:
    c = parse_citation("Hlubek RJ, Mundis GM Jr. Treatment. Curr Rev. 2017 Dec;10(4):517-520.")
    assert c.authors[1] == Author(name="Mundis GM Jr", family="Mundis", initials="GM")


def test_particle_family_name() -> None:
    c = parse_citation("van de Velde CJH, de Krom MC. Title. Br J Surg. 2023;110:1-2.")
    families = [(a.family, a.initials) for a in c.authors]
    assert families == [("van de Velde", "CJH"), ("de Krom", "MC")]


def test_book_chapter_reads_title_year_and_pages_but_no_journal() -> None:
    c = parse_citation(
        "Stewart-Brown S. The Warwick-Edinburgh Scale. In: Keyes CLM, editor. Mental Well-Being. "
        "Dordrecht: Springer Netherlands; 2013. p. 133-50"
    )
    assert (c.title, c.journal, c.date) == ("The Warwick-Edinburgh Scale", None, PartialDate(2013))
    assert (c.page_start, c.page_end) == ("133", "150")


def test_book_with_publisher_before_year() -> None:
    c = parse_citation(
        "Lazarus RS, Folkman S. Stress, appraisal, and coping. New York, Springer; 1984."
    )
    assert (c.title, c.journal) == ("Stress, appraisal, and coping", None)
    assert c.date == PartialDate(1984)


def test_statpearls_chapter_title_is_not_a_journal() -> None:
    c = parse_citation(
        "Kumar A, Maini K. Levetiracetam. 2023 Dec 3. In: StatPearls [Internet]. "
        "Treasure Island (FL): StatPearls Publishing; 2025 Jan-."
    )
    assert (c.title, c.journal, c.date) == ("Levetiracetam", None, PartialDate(2023, 12, 3))


def test_missing_issue() -> None:
    c = parse_citation("Kamper SJ. Rehabilitation. BMJ. 2015 Feb 18;350:100-10.")
    assert (c.volume, c.issue, c.page_start, c.page_end) == ("350", None, "100", "110")


def test_e_locator_is_page_start_only() -> None:
    c = parse_citation("Kumar CD. Spine surgery. Cureus. 2021 Apr 19;13(4):e14561. doi: 10.7759/x.")
    assert (c.page_start, c.page_end) == ("e14561", None)


def test_abbreviated_page_range_is_expanded() -> None:
    c = parse_citation("Salerno A. Steroids. J Bone Joint Surg Am. 2006 Jun;88(6):1361-72.")
    assert (c.page_start, c.page_end) == ("1361", "1372")


def test_abbreviated_page_range_keeps_letter_prefix() -> None:
    c = parse_citation("Rischin D. Hypoxia. Int J Radiat Oncol. 2007;69(2 Suppl):S61-3.")
    assert (c.issue, c.page_start, c.page_end) == ("2 Suppl", "S61", "S63")


def test_doi_with_parentheses_keeps_them() -> None:
    c = parse_citation(
        "Ord RA. Margins. J Oral Surg. 1997;55(7):663-9. doi: 10.1016/s0278-2391(97)90570-x."
    )
    assert c.doi == "10.1016/s0278-2391(97)90570-x"


def test_doi_url_form_and_unmatched_bracket() -> None:
    c = parse_citation(
        "Twenge JM. Time. Curr Dir. 2019;28(4):372-9.(https://doi.org/10.1177/09637214)."
    )
    assert c.doi == "10.1177/09637214"


def test_doi_stops_before_web_page_bracket() -> None:
    c = parse_citation(
        "Gupta A. LINAC. J Radiother. DOI: https://doi.org/10.1017/S14603969[Opens in"
    )
    assert c.doi == "10.1017/S14603969"


def test_pmid_and_pmcid() -> None:
    c = parse_citation("Smith J. T. Lancet. 2019;1:2. PMID: 12345678; PMCID: PMC6543210.")
    assert (c.pmid, c.pmcid) == ("12345678", "PMC6543210")


def test_epub_note_is_not_the_date() -> None:
    c = parse_citation("Iqbal R. FFQ. Public Health Nutr. 2009 Jan;12(1):12-8. Epub 2008 Mar 7.")
    assert c.date == PartialDate(2009, 1)


def test_epub_ahead_of_print_has_date_without_volume() -> None:
    c = parse_citation("Smith J. Title. Nature. 2024 Jan 5. doi: 10.1038/x. [Epub ahead of print]")
    assert (c.journal, c.volume, c.doi) == ("Nature", None, "10.1038/x")
    assert c.date == PartialDate(2024, 1, 5)


def test_erratum_tail_is_ignored() -> None:
    c = parse_citation(
        "Lee GY. Grading. Skeletal Radiol. 2011 Aug;40(8):1033-9. Erratum In: X. 2011;1:2."
    )
    assert (c.journal, c.volume, c.page_end) == ("Skeletal Radiol", "40", "1039")


def test_title_ending_with_question_mark() -> None:
    c = parse_citation(
        "Dowd GC. Anterior discectomy: is fusion necessary? J Neurosurg. 1999;90:8-12."
    )
    assert (c.title, c.journal) == ("Anterior discectomy: is fusion necessary?", "J Neurosurg")


def test_title_with_inner_question_marks() -> None:
    c = parse_citation("Prizant S. What do we know? What not? Comput Human Behav. 2016;62 :221-9.")
    assert (c.title, c.volume) == ("What do we know? What not?", "62")
    assert c.journal == "Comput Human Behav"


def test_title_ending_with_exclamation_mark() -> None:
    c = parse_citation("Doe A. Stop smoking now! BMJ. 2019;5:1.")
    assert c.title == "Stop smoking now!"


def test_translated_title_in_brackets() -> None:
    c = parse_citation(
        "Kapp C. [Psychometric properties]. Sante Publique. 2014 May-Jun;26(3):337-44."
    )
    assert (c.title, c.journal) == ("[Psychometric properties]", "Sante Publique")


def test_journal_with_dotted_abbreviations() -> None:
    c = parse_citation("Smith J. Cancer outcomes. J. Clin. Oncol. 2019;37(1):100-9.")
    assert (c.title, c.journal) == ("Cancer outcomes", "J. Clin. Oncol")


def test_journal_with_parenthesised_place() -> None:
    c = parse_citation("Fineberg SJ. Delirium. Spine (Phila Pa 1976). 2013 Sep 15;38(20):1790-6.")
    assert (c.journal, c.date) == ("Spine (Phila Pa 1976)", PartialDate(2013, 9, 15))


def test_month_range_keeps_year_only() -> None:
    c = parse_citation("Forero M. Block. Reg Anesth Pain Med. 2016 Sep-Oct;41(5):621-7.")
    assert c.date == PartialDate(2016)


def test_season_keeps_year_only() -> None:
    c = parse_citation("Forero M. Block. Reg Anesth Pain Med. 2019 Spring;41(5):621-7.")
    assert c.date == PartialDate(2019)


def test_impossible_day_is_dropped() -> None:
    c = parse_citation("Smith J. Title. Z Orthop. 2010 Feb 30;148(1):10-5.")
    assert c.date == PartialDate(2010, 2)


def test_older_pdq_source_form() -> None:
    c = parse_citation("Mixter WJ, Barr JS. Rupture of the disc. N Engl J Med 211:210-215, 1934.")
    assert (c.title, c.journal) == ("Rupture of the disc", "N Engl J Med")
    assert c.date == PartialDate(1934)
    assert (c.volume, c.page_start, c.page_end) == ("211", "210", "215")


def test_apa_style_citation() -> None:
    c = parse_citation(
        "Khan, A. G., & Lee, C.-R. (2016). Fascia stretching. J Riphah Coll, 4(1), 7-10."
    )
    assert [(a.name, a.family, a.initials) for a in c.authors] == [
        ("Khan, A. G.", "Khan", "AG"),
        ("Lee, C.-R.", "Lee", "C-R"),
    ]
    assert (c.title, c.journal, c.date, c.volume, c.issue) == (
        "Fascia stretching",
        "J Riphah Coll",
        PartialDate(2016),
        "4",
        "1",
    )


def test_free_text_reads_nothing_invented() -> None:
    c = parse_citation(
        "Wanzhu Hou, et al. Treating Autoimmune disease with Chinses Medicine, Elsevier"
    )
    assert c == Citation(text=c.text)


# --- properties -----------------------------------------------------------------------------------


@given(st.text())
def test_any_text_parses_and_is_kept(text: str) -> None:
    assert parse_citation(text).text == text


FAMILY = st.from_regex(r"[A-Z][a-z]{1,9}(?:-[A-Z][a-z]{1,9})?", fullmatch=True)
INITIALS = st.from_regex(r"[A-Z]{1,3}", fullmatch=True)
WORDS = st.lists(st.from_regex(r"[A-Za-z]{1,10}", fullmatch=True), min_size=1, max_size=8)
JOURNAL = st.lists(st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True), min_size=1, max_size=4)


@given(
    st.lists(st.tuples(FAMILY, INITIALS), min_size=1, max_size=6),
    WORDS,
    JOURNAL,
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31)),
    st.integers(1, 999),
    st.integers(1, 99),
    st.integers(1, 9000),
    st.integers(0, 99),
)
def test_generated_nlm_citation_round_trips(
    people: list[tuple[str, str]],
    words: list[str],
    journal: list[str],
    day: datetime.date,
    volume: int,
    issue: int,
    first: int,
    length: int,
) -> None:
    authors = ", ".join(f"{f} {i}" for f, i in people)
    title = " ".join([words[0].capitalize(), *words[1:]])
    when = f"{day.year} {MONTHS[day.month].capitalize()} {day.day}"
    source = f"{when};{volume}({issue}):{first}-{first + length}"
    text = f"{authors}. {title}. {' '.join(journal)}. {source}."
    c = parse_citation(text)
    assert [(a.family, a.initials) for a in c.authors] == people
    assert (c.title, c.journal) == (title, " ".join(journal))
    assert c.date == PartialDate(day.year, day.month, day.day)
    assert (c.volume, c.issue) == (str(volume), str(issue))
    assert (c.page_start, c.page_end) == (str(first), str(first + length))


# --- every citation of the registry sample: read, never invent ------------------------------------


def test_registry_sample_is_there() -> None:
    assert len(registry_citations()) > 900


def test_registry_citations_keep_their_text() -> None:
    pairs = zip(registry_parsed(), registry_citations(), strict=True)
    assert all(c.text == text for (c, _), (text, _) in pairs)


def test_registry_titles_and_journals_are_substrings() -> None:
    bad = [c.text for c, _ in registry_parsed() if (c.title or "") not in c.text]
    bad += [c.text for c, _ in registry_parsed() if (c.journal or "") not in c.text]
    assert bad == []


def test_registry_author_names_appear_in_text() -> None:
    bad = []
    for c, _ in registry_parsed():
        for a in c.authors:
            compact = a.name.replace(".", "").replace(" ", "")
            if a.name not in c.text or (a.family or "") not in a.name:
                bad.append(a)
            elif a.initials is not None and a.initials not in compact:
                bad.append(a)
    assert bad == []


def test_registry_volume_issue_pages_appear_in_text() -> None:
    bad = []
    for c, _ in registry_parsed():
        for part in (c.volume, c.issue, c.page_start):
            if part is not None and part not in c.text:
                bad.append((part, c.text))
        # page_end is verbatim, or NLM's abbreviation of it written after the first page
        if c.page_end is not None and c.page_start is not None:
            written = re.search(re.escape(c.page_start) + r"\s*-\s*(\w+)", c.text)
            if c.page_end not in c.text and not (written and c.page_end.endswith(written[1])):
                bad.append((c.page_end, c.text))
    assert bad == []


def test_registry_dates_appear_in_text() -> None:
    bad = []
    for c, _ in registry_parsed():
        d = c.date
        if d is None:
            continue
        if str(d.year) not in c.text or (d.month and MONTHS[d.month] not in c.text.lower()):
            bad.append(c.text)
        elif d.day and not re.search(rf"\b{d.day}\b", c.text):
            bad.append(c.text)
    assert bad == []


def test_registry_dois_appear_in_text() -> None:
    bad = [c.text for c, _ in registry_parsed() if c.doi and c.doi not in c.text]
    assert bad == []


def test_registry_pmid_only_from_text_and_agrees_with_record() -> None:
    bad = [
        c.text
        for c, pmid in registry_parsed()
        if c.pmid is not None and ("PMID" not in c.text or (pmid and c.pmid != pmid))
    ]
    assert bad == []


def test_registry_reads_most_titles_journals_dates_and_authors() -> None:
    assert min(share("title"), share("journal"), share("date"), share("authors")) > 0.95
