"""The words of organisation names: canonical forms, kind words, stop words, legal forms, places.

Folded (lowercase ASCII) words that :mod:`kg.orgs._names` uses to key names: each variant's
canonical English word (``_CANON``), the words that say what kind of organisation a name is
(``_GENERIC``), legal forms, role words, countries, and the words that many unrelated places share
(``_COMMON``).
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- vocabulary --------------------------------------------------------------------------------
# Folded (lowercase ASCII) words; each maps to its canonical English word, or to several.
_CANON: dict[str, tuple[str, ...]] = {}


def _canon(target: str, variants: str) -> None:
    for word in variants.split():
        _CANON[word] = tuple(target.split())


_canon(
    "university",
    "univ uni universite universitat universitaet universita universidad "
    "universidade universiteit uniwersytet univerzita univerzitet universitet universitetet "
    "universitesi universitario universitaria universitari universitaire universitair "
    "universitar universitas egyetem fakultni fakultna uniwersytecki uniwersyteckie",
)
_canon(
    "hospital",
    "hosp hopital ospedale ospedaliero ospedaliera hospitalario hospitalaria "
    "hospitalier hospitaliere krankenhaus ziekenhuis sjukhus sjukhuset sykehus sygehus szpital "
    "nemocnice nemocnica korhaz hastanesi hastane bolnica spital spitalul sairaala klinikum "
    "kliniken arcispedale policlinico",
)
_canon("hospitals", "hopitaux hospitais hospitales ospedali")
_canon(
    "hospital university",
    "chu chru uh uz aou universitatsklinikum universitaetsklinikum "
    "uniklinikum uniklinik universitatsspital universitetssjukhus universitetssjukhuset "
    "universitetssykehus universitetshospital universitetshospitalet",
)
_canon("university medicine", "universitatsmedizin")
_canon("clinic", "clinica clinique klinik klinika")
_canon("clinics", "cliniques clinicas")
_canon("clinical", "clinico klinische klinisch")
_canon(
    "institute", "inst institut instituto istituto instytut institutul intezet institutet instituut"
)
_canon("center", "centre centro centrum zentrum centar centru ctr cntr clcc")
_canon("associates", "assoc assocs")
_canon("centers", "centres centros")
_canon("foundation", "fondation fundacion fundacao fondazione stiftung fundacja stichting")
_canon("faculty", "faculte facultad faculdade facolta fakultat fakultesi fakulta")
_canon("department", "dept departement departamento dipartimento abteilung")
_canon("laboratory", "lab laboratoire laboratorio laboratorium")
_canon(
    "medical",
    "med medico medica medicale medizinische medizinisches medizinischen medyczne medyczny",
)
_canon("medicine", "medicina medecine medizin")
_canon(
    "oncology",
    "oncologia oncologie onkologie onkologii onkologia oncologico oncologica "
    "oncologique onkologiai",
)
_canon(
    "research", "recherche investigacion investigaciones investigacao ricerca forschung pesquisa"
)
_canon("national", "nacional nazionale nationale narodowy nationaal natl")
_canon("international", "internacional internazionale intl")
_canon("general", "generale allgemeines allgemeine algemeen")
_canon("province", "provincial provincia provinciale")
_canon("health", "salud saude sanita sante gesundheit")
_canon(
    "saint",
    "s st saint sainte ste sankt san santa santo sant sao sf sfantul sfanta sveti sveta szent",
)
# A city's local name is its English name ("Campus Bio-Medico University of Rome" / "Università
# Campus Bio-Medico di Roma"), as a site's town is (kg.places).
for _english, _local in (
    ("rome", "roma"), ("milan", "milano"), ("naples", "napoli"), ("turin", "torino"),
    ("florence", "firenze"), ("genoa", "genova"), ("venice", "venezia"), ("padua", "padova"),
    ("vienna", "wien"), ("prague", "praha"), ("warsaw", "warszawa"), ("munich", "munchen"),
    ("cologne", "koln"), ("lisbon", "lisboa"), ("seville", "sevilla"),
    ("brussels", "bruxelles brussel"), ("antwerp", "antwerpen"), ("ghent", "gent"),
    ("copenhagen", "kobenhavn"), ("gothenburg", "goteborg"), ("athens", "athina"),
    ("bucharest", "bucuresti"), ("belgrade", "beograd"), ("moscow", "moskva"),
):  # fmt: skip
    _canon(_english, _local)
_canon("post graduate", "postgraduate")
_canon("mount", "mt")
_canon("fort", "ft")

# Words that say what kind of organisation, or describe it, rather than name it. A name made only
# of these keeps its word order, and cannot lose a tail (a country) without losing its identity.
_GENERIC = _words(
    "university hospital hospitals clinic clinics clinical institute institutes center centers "
    "college school faculty department foundation academy laboratory laboratories unit division "
    "polyclinic infirmary sanatorium group network association society trust service services "
    "agency ministry council organization consortium office program practice associates "
    "consultants partners system campus branch medical medicine oncology cancer research science "
    "sciences technology health healthcare care childrens womens peoples pediatric heart eye "
    "dental general national international regional province municipal central city county "
    "state district military army naval veterans memorial affiliated teaching training specialty "
    "specialist specialists comprehensive private public metropolitan community academic "
    "integrated first second third fourth fifth sixth seventh eighth ninth tenth "
    "american asian african australian british canadian chinese european french german indian "
    "italian japanese korean spanish swiss dutch "
    "hematology haematology cardiology neurology dermatology rheumatology urology "
    "gastroenterology ophthalmology orthopedics orthopaedics orthopedic orthopaedic pediatrics "
    "paediatric psychiatry psychiatric radiology radiation surgery surgical internal family blood "
    "kidney diabetes endocrinology pulmonary chest spine retina skin pain sleep allergy asthma "
    "arthritis nephrology infectious disease diseases obstetrics gynecology women children "
    "maternity rehabilitation imaging oral"
)
_STOP = _words(
    "of the for and at in on to a an de du des la le les l d di da del della delle dei degli "
    "dello do dos das der die den dem van von vom zum zur y e et und i en em na im am fur per lo "
    "el al w z"
)
# Legal forms: dropped wherever they stand ("strong") or only at the end of a part ("weak").
_LEGAL_STRONG = _words(
    "gmbh ggmbh mbh llc pllc llp inc incorporated ltd ltda pvt plc sro srl eood asbl vzw aor "
    "bvba sarl pty spzoo kft zrt"
)
_LEGAL_WEAK = _words(
    "sa sas ag ab as asa nv bv pc pa co kg lp sl slu cv ss epe ad ead oy oyj aps spa sp zoo "
    "doo limited corporation corp company"
)
# "K.K." stays: "AstraZeneca K.K." is the Japanese company, not AstraZeneca.
_LEGAL = _LEGAL_STRONG | _LEGAL_WEAK
_NETWORK_TAGS = _words("ppds usor uso irccs")  # site-network labels and designations, not names
_ROLES = _words(
    "professor prof director head chief chair chairman dean president consultant investigator "
    "principal md phd dr doctor associate assistant senior lecturer resident fellow"
)
_COUNTRIES = frozenset(
    part.strip()
    for part in (
        "afghanistan,albania,algeria,argentina,armenia,australia,austria,azerbaijan,bahrain,"
        "bangladesh,belarus,belgium,bolivia,bosnia and herzegovina,brazil,brasil,bulgaria,"
        "cambodia,cameroon,canada,chile,china,pr china,p r china,peoples republic china,colombia,"
        "costa rica,croatia,cuba,cyprus,czech republic,czechia,denmark,dominican republic,ecuador,"
        "egypt,el salvador,england,estonia,ethiopia,finland,france,georgia,germany,deutschland,"
        "ghana,greece,guatemala,honduras,hong kong,hungary,iceland,india,indonesia,iran,iraq,"
        "ireland,israel,italy,italia,japan,jordan,kazakhstan,kenya,korea,south korea,"
        "republic korea,kuwait,latvia,lebanon,lithuania,luxembourg,malaysia,malta,mexico,moldova,"
        "mongolia,morocco,nepal,netherlands,new zealand,nigeria,north macedonia,norway,oman,"
        "pakistan,panama,paraguay,peru,philippines,poland,portugal,puerto rico,qatar,romania,"
        "russia,russian federation,saudi arabia,scotland,serbia,singapore,slovakia,slovenia,"
        "south africa,spain,espana,sri lanka,sudan,sweden,switzerland,syria,taiwan,tanzania,"
        "thailand,tunisia,turkey,turkiye,uganda,uk,u k,united kingdom,ukraine,"
        "united arab emirates,uae,united states,united states america,usa,us,uruguay,uzbekistan,"
        "venezuela,vietnam,viet nam,wales,zambia,zimbabwe"
    ).split(",")
)
_ARTICLES = _words("the a an la le les l el lo")
_PREPOSITION = {"do": "de", "da": "de", "dos": "de", "das": "de"}  # Portuguese "do" = "de o"
_DIRECTIONS = _words(
    "north south east west northeast northwest southeast southwest nord sud est ouest norte sur "
    "este oeste"
)
# Words of names that many unrelated places share ("St. Mary's Medical Center", "Queen Elizabeth
# Hospital", "Good Samaritan Hospital"): such a name needs its place to stand for one organisation.
_COMMON = _words(
    "saint mary marys joseph josephs john johns luke lukes francis vincent vincents elizabeth "
    "elizabeths anthony anthonys peter peters paul pauls james george georges thomas michael "
    "michaels mark marks david davids ann anne annes agnes catherine catherines margaret margarets "
    "jude judes rita ritas clare claire patrick patricks andrew andrews barnabas joan theresa "
    "teresa helena luis jose juan maria antonio pedro pablo jorge charles dominic bernard "
    "bernards alexius benedict raphael rafael gabriel jerome martin martins elias luke cloud "
    "mercy providence good samaritan baptist methodist presbyterian lutheran christian adventist "
    "jewish catholic sacred heart holy cross trinity grace hope virgen nuestra senora lady our "
    "divine redeemer bethesda queen queens king kings royal victoria princess prince alexandra "
    "infanta albert edward alfred sofia cristina valley mountain river lake bay park hill hills "
    "coast shore harbor island doctors physicians citizens va unity union united"
)
# Names that independent institutes share, one per town, in one country: such a name needs its
# town as a name of common words does. The registry lists them side by side as separate
# organisations ("All India Institute of Medical Sciences, Jodhpur", "..., Rishikesh", "...,
# Bhubaneswar", "..., Bathinda" are four collaborators of NCT06737822).
_PER_TOWN = frozenset(
    {"aiims", "all india institute medical sciences", "all india institute medical science"}
)
# A clinical research company says one of these and none of the places of care after them.
_RESEARCH = _words("research investigation trials")
_CARE = _words(
    "site hospital hospitals university college clinic clinics school medicine faculty department"
)
# "X University" and "University of X" are different organisations for these X.
_ORDER_MATTERS = frozenset({("washington",), ("miami",), ("louis", "saint"), ("new", "york")})
