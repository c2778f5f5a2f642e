"""What the catalogue holds: atom bases and layer specs as plain data (interpreted by ``build``)."""

from __future__ import annotations

from dataclasses import dataclass

CRS = "EPSG:27700"
GRID_M = 1.0
ZSTD_LEVEL = 19  # slow to write, tiny to ship; reading speed is unaffected

# The transformation is pinned rather than left to PROJ so that the output does not depend on
# whether the OSTN15 grid happens to be installed: this is EPSG's "Inverse of OSGB36 to WGS 84 (6)"
# 7-parameter Helmert (~2 m accuracy, far below the 200-500 m generalisation of the sources)
# followed by the British National Grid projection.
WGS84_TO_BNG_NAME = "Inverse of OSGB36 to WGS 84 (6) + British National Grid (Helmert, ~2 m)"
WGS84_TO_BNG = (
    "proj=pipeline step proj=unitconvert xy_in=deg xy_out=rad step proj=push v_3 "
    "step proj=cart ellps=WGS84 step inv proj=helmert x=446.448 y=-125.157 z=542.06 "
    "rx=0.15 ry=0.247 rz=0.842 s=-20.489 convention=position_vector step inv proj=cart "
    "ellps=airy step proj=pop v_3 step proj=tmerc lat_0=49 lon_0=-2 k=0.9996012717 "
    "x_0=400000 y_0=-100000 ellps=airy"
)

OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
CC_BY_URL = "https://creativecommons.org/licenses/by/4.0/"
ONS_OGL = "Source: Office for National Statistics licensed under the Open Government Licence v.3.0"
ONS_OGL_HTML = (
    "Source: Office for National Statistics licensed under the "
    f'<a href="{OGL_URL}">Open Government Licence v.3.0</a>'
)
CHORLEY = "GeoJSON and TopoJSON UK Boundary Data by Martin Chorley (CC BY 4.0)"
CHORLEY_HTML = (
    "GeoJSON and TopoJSON UK Boundary Data by Martin Chorley "
    f'(<a href="{CC_BY_URL}">CC BY 4.0</a>)'
)
CATALOG_YEAR = "2024"

# --------------------------------------------------------------------------------------------
# What to build. Plain data: the functions below interpret it.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AtomBaseSpec:
    id: str
    gpkg: str  # stem in <source>/boundaries
    short: str  # "lsoa11": prefix for lookup file names and columns
    population_file: str
    population_code: str
    population_value: str
    population_source: str
    generalisation: str
    population_year: str = ""


@dataclass(frozen=True)
class Definition:
    """A layer defined as a union of building blocks through one lookup."""

    base: str  # atom base id
    via: str  # "" = keys are atom codes; else the layer id whose codes are the keys
    source: str  # lookup CSV stem in <source>/lookups ("" for a resolver-built lookup)
    key_src: str  # column of the source lookup holding the keys
    unit_src: str  # column holding this layer's codes
    name_src: str  # column holding this layer's names
    lookup: str  # output lookup stem (boundaries/lookups/<lookup>.csv)
    key_column: str
    unit_column: str


@dataclass(frozen=True)
class LayerSpec:
    id: str
    title: str
    family: str
    kind: str
    vintage: str
    coverage: str
    expected: int  # known feature count (data README / manifest)
    atoms: Definition | None = None  # built from atoms ...
    published: str = ""  # ... or shipped from this gpkg stem
    published_variant: str = ""
    approximate: bool = False
    note: str = ""
    extra_credit: bool = False  # also credit Martin Chorley (ltla13 / utla13 material)
    resolver: str = ""  # name of a function in derive.py that builds the lookup (pairs, names, note)
    fixes: tuple = ()  # (key, unit, why): documented corrections of a source lookup row
    current: bool = False  # the layer describes the bodies in force now (2026)
    derived: str = ""  # evidence when the layer is derived (not an ONS lookup) but exact by construction


ATOM_BASES = [
    AtomBaseSpec(
        id="lsoa-2011",
        gpkg="lsoa11",
        short="lsoa11",
        population_file="population_lsoa11_mid2019_mid2020",
        population_code="lsoa11_code",
        population_value="population_mid2020",
        population_source="ONS mid-2020 LSOA population estimates (SAPE23DT2)",
        population_year="2020",
        generalisation="ONS BSC 200 m + ms_simplify keep=0.895 (geographr)",
    ),
    AtomBaseSpec(
        id="lsoa-2021",
        gpkg="lsoa21",
        short="lsoa21",
        population_file="population_lsoa21_census2021",
        population_code="lsoa21_code",
        population_value="usual_residents_census2021",
        population_source="ONS Census 2021 TS021 usual residents (cell-key perturbed)",
        population_year="2021",
        generalisation="ONS BSC 200 m",
    ),
]


def _d(base, via, source, key_src, unit_src, name_src, lookup, key_column, unit_column):
    return Definition(base, via, source, key_src, unit_src, name_src, lookup, key_column, unit_column)


L11, L21 = "lsoa-2011", "lsoa-2021"
EW, EN, WA, UK = "England and Wales", "England", "Wales", "United Kingdom"

LAYERS = [
    # ---- councils ------------------------------------------------------------------------
    LayerSpec("ltla-2013", "Local authority districts (lower tier), England, 2013", "council", "ltla", "2013", EN, 326,
              atoms=_d(L11, "", "lookup_lsoa11_ccg15_ltla15", "lsoa11_code", "ltla15_code", "ltla15_name",
                       "lsoa11_ltla13", "lsoa11_code", "ltla13_code"),
              published_variant="ltla-2013-bgc",
              note="Built with the July 2015 LSOA->CCG->LAD lookup (the earliest LSOA->LAD lookup in the corpus); "
                   "its 326 district codes are exactly those of the December 2013 districts (checked at build)."),
    LayerSpec("ltla-2019", "Local authority districts (lower tier), December 2019", "council", "ltla", "2019", EW, 339,
              atoms=_d(L11, "", "lookup_lsoa11_ltla19", "lsoa11_code", "ltla19_code", "ltla19_name",
                       "lsoa11_ltla19", "lsoa11_code", "ltla19_code"),
              published_variant="ltla-2019-buc",
              note="England 317 + Wales 22; Scotland and Northern Ireland are only in the published variant."),
    LayerSpec("ltla-2021", "Local authority districts (lower tier), December 2021", "council", "ltla", "2021", EW, 331,
              atoms=_d(L11, "", "lookup_lsoa11_ltla21", "lsoa11_code", "ltla21_code", "ltla21_name",
                       "lsoa11_ltla21", "lsoa11_code", "ltla21_code"),
              published_variant="ltla-2021-buc",
              fixes=(("W01000060", "W06000002",
                      "the source lookup puts LSOA W01000060 (Gwynedd 015B, about 1,310 people) in Powys (W06000023); "
                      "the 2019, 2020 and 2022 lookups and the published 2019/2021/2024 district boundaries all put it "
                      "in Gwynedd (98.8% of its area), so the row is corrected to Gwynedd here"),),
              note="England 309 + Wales 22; Scotland and Northern Ireland are only in the published variant."),
    LayerSpec("ltla-2024", "Local authority districts (lower tier), May 2024", "council", "ltla", "2024", EW, 318,
              atoms=_d(L21, "", "lookup_lsoa21_ward24_ltla24", "lsoa21_code", "ltla24_code", "ltla24_name",
                       "lsoa21_ltla24", "lsoa21_code", "ltla24_code"),
              published_variant="ltla-2024-buc", current=True,
              note="England 296 + Wales 22, from the ONS LSOA 2021 -> ward 2024 -> LAD 2024 best-fit lookup."),
    LayerSpec("utla-2013", "Counties and unitary authorities (152 social-services authorities), 2013", "council",
              "utla", "2013", EN, 152,
              atoms=_d(L11, "ltla-2013", "lookup_ltla13_utla13", "ltla13_code", "utla13_code", "utla13_name",
                       "ltla13_utla13", "ltla13_code", "utla13_code"),
              extra_credit=True),
    LayerSpec("utla-2021", "Counties and unitary authorities (upper tier), April 2021", "council", "utla", "2021", EW,
              174,
              atoms=_d(L11, "ltla-2021", "lookup_ltla21_utla21", "ltla21_code", "utla21_code", "utla21_name",
                       "ltla21_utla21", "ltla21_code", "utla21_code"),
              published_variant="utla-2021-buc", note="England 152 + Wales 22."),
    LayerSpec("utla-2024", "Counties and unitary authorities (upper tier), May 2024 (current)", "council", "utla",
              "2024", EW, 175, current=True,
              atoms=_d(L21, "ltla-2024", "lookup_ltla23_utla23", "ltla23_code", "utla23_code", "utla23_name",
                       "ltla24_utla24", "ltla24_code", "utla24_code"),
              note="England 153 + Wales 22, from the ONS December 2023 LAD->county/UA lookup: there were no changes "
                   "to districts or counties in 2024 (checked at build: its district codes are exactly the May 2024 "
                   "ones)."),
    LayerSpec("ca-2023", "Combined authorities, December 2023", "council", "ca", "2023", EN, 10,
              atoms=_d(L21, "ltla-2024", "lookup_ltla23_cauth23", "ltla23_code", "cauth23_code", "cauth23_name",
                       "ltla24_ca23", "ltla24_code", "ca23_code"),
              note="The 10 combined authorities of the ONS December 2023 lookup (North East E47000010 and North of "
                   "Tyne E47000011 were replaced by the North East Mayoral Combined Authority in May 2024). "
                   "Districts outside every combined authority are outside this layer, never split."),
    LayerSpec("sa-2025", "Strategic authorities in force during 2025-26 (current)", "council", "sa", "2025", EN, 15,
              atoms=_d(L21, "ltla-2024", "", "ltla24_code", "sa25_code", "sa25_name",
                       "ltla24_sa25", "ltla24_code", "sa25_code"),
              resolver="sa2025", current=True, note="(filled in by derive.sa)"),
    LayerSpec("sa-2028", "Strategic authorities in force or ordered for 2027-28", "council", "sa", "2028", EN, 21,
              atoms=_d(L21, "ltla-2024", "", "ltla24_code", "sa28_code", "sa28_name",
                       "ltla24_sa28", "ltla24_code", "sa28_code"),
              resolver="sa2028", note="(filled in by derive.sa)"),
    # ---- health --------------------------------------------------------------------------
    LayerSpec("sha-2011", "Strategic health authorities (approximate), 2006-2013", "health", "sha", "2011", EN, 10,
              atoms=_d(L11, "ltla-2019", "lookup_ltla19_sha11_approx", "ltla19_code", "sha11_code", "sha11_name",
                       "ltla19_sha11", "ltla19_code", "sha11_code"),
              approximate=True,
              note="Approximation: 2019 districts grouped by region, South East split into South Central / South "
                   "East Coast by county; ignores the Glossop anomaly and any SHA edge that did not follow councils."),
    LayerSpec("pct-2011", "Primary care trusts (approximate), 2011", "health", "pct", "2011", EN, 151,
              atoms=_d(L11, "", "", "lsoa11_code", "pct11_code", "pct11_name", "lsoa11_pct11", "lsoa11_code",
                       "pct11_code"),
              approximate=True, resolver="pct2011", note="(filled in by derive.pct2011)"),
    LayerSpec("ccg-2015", "Clinical commissioning groups, July 2015", "health", "ccg", "2015", EN, 209,
              atoms=_d(L11, "", "lookup_lsoa11_ccg15_ltla15", "lsoa11_code", "ccg15_code", "ccg15_name",
                       "lsoa11_ccg15", "lsoa11_code", "ccg15_code"),
              note="209 CCGs; differs from the 2013 set (211) only by the 2015 Newcastle Gateshead merger."),
    LayerSpec("ccg-2020", "Clinical commissioning groups, April 2020", "health", "ccg", "2020", EN, 135,
              atoms=_d(L11, "", "lookup_lsoa11_ccg20_ltla20", "lsoa11_code", "ccg20_code", "ccg20_name",
                       "lsoa11_ccg20", "lsoa11_code", "ccg20_code"),
              published_variant="ccg-2020-buc"),
    LayerSpec("ccg-2021", "Clinical commissioning groups, April 2021", "health", "ccg", "2021", EN, 106,
              atoms=_d(L11, "", "lookup_lsoa11_ccg21_stp21_ltla21", "lsoa11_code", "ccg21_code", "ccg21_name",
                       "lsoa11_ccg21", "lsoa11_code", "ccg21_code"),
              published_variant="ccg-2021-buc",
              note="Exact, from the ONS LSOA (2011) to CCG to STP to LAD (April 2021) lookup."),
    LayerSpec("stp-2020", "Sustainability and transformation partnerships, April 2020", "health", "stp", "2020", EN,
              42,
              atoms=_d(L11, "ccg-2020", "lookup_ccg20_stp20", "ccg20_code", "stp20_code", "stp20_name",
                       "ccg20_stp20", "ccg20_code", "stp20_code")),
    LayerSpec("stp-2021", "Sustainability and transformation partnerships, April 2021", "health", "stp", "2021", EN,
              42,
              atoms=_d(L11, "ccg-2021", "lookup_lsoa11_ccg21_stp21_ltla21", "ccg21_code", "stp21_code", "stp21_name",
                       "ccg21_stp21", "ccg21_code", "stp21_code"),
              published_variant="stp-2021-buc",
              note="Exact, from the ONS April 2021 LSOA->CCG->STP lookup: every CCG lies in one STP (checked at build)."),
    LayerSpec("sicbl-2022", "Sub-ICB locations, July 2022", "health", "sicbl", "2022", EN, 106,
              atoms=_d(L11, "", "lookup_lsoa11_sicbl22_icb22_ltla22", "lsoa11_code", "sicbl22_code",
                       "sicbl22_name", "lsoa11_sicbl22", "lsoa11_code", "sicbl22_code"),
              published_variant="sicbl-2022-coarse"),
    LayerSpec("icb-2022", "Integrated care boards, July 2022", "health", "icb", "2022", EN, 42,
              atoms=_d(L11, "sicbl-2022", "lookup_lsoa11_sicbl22_icb22_ltla22", "sicbl22_code", "icb22_code",
                       "icb22_name", "sicbl22_icb22", "sicbl22_code", "icb22_code"),
              published_variant="icb-2022-coarse"),
    LayerSpec("lhb-2022", "Local health boards, Wales, 2022", "health", "lhb", "2022", WA, 7,
              atoms=_d(L11, "ltla-2021", "lookup_ltla21_lhb22", "ltla21_code", "lhb22_code", "lhb22_name",
                       "ltla21_lhb22", "ltla21_code", "lhb22_code")),
    LayerSpec("sicbl-2024", "Sub-ICB locations, April 2024 (current)", "health", "sicbl", "2024", EN, 106,
              atoms=_d(L21, "", "lookup_lsoa21_sicbl24_icb24", "lsoa21_code", "sicbl24_code", "sicbl24_name",
                       "lsoa21_sicbl24", "lsoa21_code", "sicbl24_code"),
              current=True,
              note="Exact, from the ONS LSOA (2021) to SICBL to ICB (April 2024) lookup. Sub-ICB locations were not "
                   "changed by the April 2026 ICB mergers."),
    LayerSpec("icb-2024", "Integrated care boards, April 2024", "health", "icb", "2024", EN, 42,
              atoms=_d(L21, "sicbl-2024", "lookup_lsoa21_sicbl24_icb24", "sicbl24_code", "icb24_code", "icb24_name",
                       "sicbl24_icb24", "sicbl24_code", "icb24_code"),
              note="Exact, from the ONS April 2024 LSOA (2021) -> SICBL -> ICB lookup; superseded by icb-2026."),
    LayerSpec("icb-2026", "Integrated care boards, April 2026 (current; derived)", "health", "icb", "2026", EN, 36,
              atoms=_d(L21, "", "", "lsoa21_code", "icb26_code", "icb26_name",
                       "lsoa21_icb26", "lsoa21_code", "icb26_code"),
              resolver="icb2026", current=True, note="(filled in by derive.icb2026)"),
    # ---- police --------------------------------------------------------------------------
    LayerSpec("pfa-2020", "Police force areas, December 2020", "police", "pfa", "2020", EW, 43,
              atoms=_d(L11, "ltla-2019", "lookup_ltla19_csp19_pfa19", "ltla19_code", "pfa19_code", "pfa19_name",
                       "ltla19_pfa19", "ltla19_code", "pfa19_code"),
              published_variant="pfa-2020-buc",
              note="Built from the December 2019 LAD->CSP->PFA lookup: police force areas did not change 2019->2020."),
    LayerSpec("csp-2019", "Community safety partnerships, December 2019", "police", "csp", "2019", EW, 314,
              atoms=_d(L11, "", "", "lsoa11_code", "csp19_code", "csp19_name",
                       "lsoa11_csp19", "lsoa11_code", "csp19_code"),
              published_variant="csp-2019-oa", approximate=True, resolver="csp2019",
              note="(filled in by derive.csp2019)"),
    LayerSpec("pfa-2024", "Police force areas, December 2024 (current)", "police", "pfa", "2024", EW, 43,
              atoms=_d(L21, "ltla-2024", "lookup_ltla24_csp24_pfa24", "ltla24_code", "pfa24_code", "pfa24_name",
                       "ltla24_pfa24", "ltla24_code", "pfa24_code"),
              current=True, note="Unions of whole May 2024 districts, from the ONS December 2024 LAD->CSP->PFA lookup."),
    LayerSpec("csp-2024", "Community safety partnerships, December 2024 (current)", "police", "csp", "2024", EW, 314,
              atoms=_d(L21, "", "", "lsoa21_code", "csp24_code", "csp24_name",
                       "lsoa21_csp24", "lsoa21_code", "csp24_code"),
              resolver="csp2024", current=True, note="(filled in by derive.csp2024)"),
    LayerSpec("bcu-2024", "Police basic command units in force during 2024 (32 forces; partial)", "police", "bcu",
              "2024", EW, 146,
              atoms=_d(L21, "ltla-2024", "", "ltla24_code", "bcu24_code", "bcu24_name",
                       "ltla24_bcu24", "ltla24_code", "bcu24_code"),
              resolver="bcu2024", note="(filled in by derive.bcu)"),
    LayerSpec("bcu-latest", "Police basic command units, latest structure (32 forces; partial; current)", "police",
              "bcu", "2026", EW, 140,
              atoms=_d(L21, "ltla-2024", "", "ltla24_code", "bcu_code", "bcu_name",
                       "ltla24_bcu_latest", "ltla24_code", "bcu_code"),
              resolver="bcu_latest", current=True, note="(filled in by derive.bcu)"),
    # ---- fire ----------------------------------------------------------------------------
    LayerSpec("fra-2021", "Fire and rescue authorities, April 2021", "fire", "fra", "2021", EW, 47,
              atoms=_d(L11, "ltla-2021", "lookup_ltla21_fra21", "ltla21_code", "fra21_code", "fra21_name",
                       "ltla21_fra21", "ltla21_code", "fra21_code"),
              published_variant="fra-2021-oa",
              note="The April 2021 set (Hampshire and Isle of Wight merged, E31000048)."),
    LayerSpec("fra-2024", "Fire and rescue authorities, December 2024 (current)", "fire", "fra", "2024", EW, 47,
              atoms=_d(L21, "ltla-2024", "lookup_ltla24_fra24", "ltla24_code", "fra24_code", "fra24_name",
                       "ltla24_fra24", "ltla24_code", "fra24_code"),
              current=True, note="Unions of whole May 2024 districts, from the ONS December 2024 LAD->FRA lookup."),
    # ---- resilience ----------------------------------------------------------------------
    LayerSpec("lrf-2020", "Local resilience forums, December 2020", "resilience", "lrf", "2020", EW, 42,
              atoms=_d(L11, "ltla-2019", "lookup_ltla19_lrf19", "ltla19_code", "lrf19_code", "lrf19_name",
                       "ltla19_lrf19", "ltla19_code", "lrf19_code"),
              published_variant="lrf-2020-buc", current=True,
              note="Built from the December 2019 LAD->LRF lookup (the 42 forums are unchanged in 2020)."),
    # ---- statistical building blocks -----------------------------------------------------
    LayerSpec("lsoa-2011", "Lower layer super output areas, 2011", "statistical", "lsoa", "2011", EW, 34753,
              published="lsoa11", note="Atom base for the 2011-2022 vintages."),
    LayerSpec("lsoa-2021", "Lower layer super output areas, 2021", "statistical", "lsoa", "2021", EW, 35672,
              published="lsoa21", note="Atom base for the 2023+ vintages."),
    LayerSpec("msoa-2021", "Middle layer super output areas, 2021", "statistical", "msoa", "2021", EW, 7264,
              published="msoa21"),
    LayerSpec("ward-2022", "Electoral wards, December 2022", "statistical", "ward", "2022", UK, 8482,
              published="wards22",
              note="E05014284 (Hunmanby & Sherburn) came as two rows, one per district; dissolved to one."),
    # ---- ONS-published counterparts of built layers (independently generalised) ------------
    LayerSpec("ltla-2013-bgc", "Local authority districts, England, December 2013 (published BGC)", "council", "ltla",
              "2013", EN, 326, published="ltla13", extra_credit=True,
              note="TopoJSON-quantised BGC; 250/326 geometries needed repair upstream (1.4 km2 in total)."),
    LayerSpec("ltla-2019-buc", "Local authority districts, December 2019 (published BUC)", "council", "ltla", "2019",
              UK, 382, published="ltla19"),
    LayerSpec("ltla-2021-buc", "Local authority districts, December 2021 (published BUC)", "council", "ltla", "2021",
              UK, 374, published="ltla21"),
    LayerSpec("ltla-2024-buc", "Local authority districts, May 2024 (published BUC)", "council", "ltla", "2024", UK,
              361, published="ltla24"),
    LayerSpec("utla-2021-buc", "Counties and unitary authorities, May 2021 (published BUC)", "council", "utla",
              "2021", UK, 217, published="utla21"),
    LayerSpec("ccg-2021-buc", "Clinical commissioning groups, April 2021 (published BUC)", "health", "ccg", "2021",
              EN, 106, published="ccg21"),
    LayerSpec("stp-2021-buc", "Sustainability and transformation partnerships, April 2021 (published BUC)", "health",
              "stp", "2021", EN, 42, published="stp21"),
    LayerSpec("ccg-2020-buc", "Clinical commissioning groups, April 2020 (published BUC)", "health", "ccg", "2020",
              EN, 135, published="ccg20"),
    LayerSpec("sicbl-2022-coarse", "Sub-ICB locations, July 2022 (geographr, over-simplified)", "health", "sicbl",
              "2022", EN, 106, published="sicbl22", approximate=True,
              note="Re-simplified by geographr (2,205 vertices in total): area overlaps against councils are "
                   "unreliable; prefer sicbl-2022."),
    LayerSpec("icb-2022-coarse", "Integrated care boards, July 2022 (geographr, over-simplified)", "health", "icb",
              "2022", EN, 42, published="icb22", approximate=True,
              note="BUC re-simplified by geographr (661 vertices in total): slivers up to ~31 km2 against "
                   "councils; prefer icb-2022."),
    LayerSpec("pfa-2020-buc", "Police force areas, December 2020 (published BUC)", "police", "pfa", "2020", EW, 43,
              published="pfa20"),
    LayerSpec("csp-2019-oa", "Community safety partnerships, December 2019 (OA best fit)", "police", "csp", "2019",
              EW, 314, published="csp19", approximate=True,
              note="Output-area best-fit approximation (OA 2011 BGC dissolved by OA->CSP, simplified), not an ONS "
                   "CSP boundary."),
    LayerSpec("fra-2021-oa", "Fire and rescue authorities, 2021 (OA best fit)", "fire", "fra", "2021", EW, 47,
              published="fra21", approximate=True,
              note="Output-area best-fit approximation; packaged upstream as 'Dec 2019' but holds the April 2021 "
                   "set (E31000048)."),
    LayerSpec("lrf-2020-buc", "Local resilience forums, December 2020 (published BUC)", "resilience", "lrf", "2020",
              EW, 42, published="lrf20"),
]

FAMILY_ORDER = ["council", "health", "police", "fire", "resilience", "statistical"]
