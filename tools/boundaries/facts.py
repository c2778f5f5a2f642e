"""Data behind the derived layers (interpreted by derive.py and bcu.py), and provenance of 2026 files."""

from __future__ import annotations

# April 2026 ICBs that changed (in terms of the April 2024 ICBs, sub-ICB locations and districts).
# Facts: ../shared/data/facts/icb_mergers_2026.csv (HCWS915, 9 Sep 2025) and, for Frimley,
# ../shared/scenarios/icb_2026_frimley_split_verified.csv. Each member is ("icb", code) for a whole
# ICB, ("sicbl", code) for a whole sub-ICB location, or ("icb_ltla", icb code, district names) for
# the part of an ICB in those districts. The codes are coterm's own: the ONS April 2026 codes are
# not in the corpus.
ICB_2026 = [
    ("ICB26-NSF", "NHS Norfolk and Suffolk Integrated Care Board",
     [("icb", "E54000022"), ("sicbl", "E38000086"), ("sicbl", "E38000204")]),
    ("ICB26-ESX", "NHS Essex Integrated Care Board",
     [("icb", "E54000026"), ("sicbl", "E38000117"), ("sicbl", "E38000197")]),
    ("ICB26-CEA", "NHS Central East Integrated Care Board",
     [("icb", "E54000024"), ("icb", "E54000056"), ("sicbl", "E38000049"), ("sicbl", "E38000079")]),
    ("ICB26-TVA", "NHS Thames Valley Integrated Care Board",
     [("icb", "E54000044"), ("icb_ltla", "E54000034", ("Bracknell Forest", "Slough", "Windsor and Maidenhead"))]),
    ("ICB26-SSX", "NHS Surrey and Sussex Integrated Care Board",
     [("icb", "E54000063"), ("icb", "E54000064"),
      ("icb_ltla", "E54000034", ("Surrey Heath", "Waverley", "Guildford", "Runnymede"))]),
    ("ICB26-HIW", "NHS Hampshire and the Isle of Wight Integrated Care Board",
     [("icb", "E54000042"), ("icb_ltla", "E54000034", ("Rushmoor", "Hart"))]),
    ("ICB26-NWC", "NHS North West and North Central London Integrated Care Board",
     [("icb", "E54000027"), ("icb", "E54000028")]),
]
ICB_CODES_2022_TO_2024 = {"E54000052": "E54000063", "E54000053": "E54000064"}  # data README

# CSPs of 2024 that follow districts abolished since 2019: the lookup that still holds the former
# district of each LSOA, and CSP names that differ from the former district's name.
CSP_FORMER_DISTRICTS = {
    "E06000058": "lookup_lsoa11_ltla18",  # Bournemouth, Christchurch and Poole (2019)
    "E07000244": "lookup_lsoa11_ltla18",  # East Suffolk (2019)
    "E06000060": "lookup_lsoa11_ltla19",  # Buckinghamshire (2020)
    "E06000061": "lookup_lsoa11_ltla20",  # North Northamptonshire (2021)
    "E06000062": "lookup_lsoa11_ltla20",  # West Northamptonshire (2021)
    "E06000063": "lookup_lsoa11_ltla21",  # Cumberland (2023)
    "E06000064": "lookup_lsoa11_ltla21",  # Westmorland and Furness (2023)
}
CSP_NAME_OF_FORMER = {"Christchurch": "Dorset", "Daventry": "Daventry and South Northamptonshire",
                      "South Northamptonshire": "Daventry and South Northamptonshire"}

# Strategic authorities. The older combined authorities come from the ONS December 2023 lookup;
# start dates (year-month the authority was established) are from their establishment orders.
SA_OLDER = {  # cauth23 code -> (start, status)
    "E47000001": ("2011-04", "established 2011 (mayor 2017)"),
    "E47000002": ("2014-04", "established 2014 (mayor 2018)"),
    "E47000003": ("2014-04", "established 2014 (mayor 2021)"),
    "E47000004": ("2014-04", "established 2014 (mayor 2017)"),
    "E47000006": ("2016-04", "established 2016 (mayor 2017)"),
    "E47000007": ("2016-06", "established 2016 (mayor 2017)"),
    "E47000008": ("2017-03", "established 2017 (mayor 2017)"),
    "E47000009": ("2017-02", "established 2017 (mayor 2017)"),
}
SA_REPLACED_2024 = ("E47000010", "E47000011")  # North East, North of Tyne -> North East MCA (May 2024)
SA_NOT_IN_FILE = [  # (code, name, status, start, member district or county/UA codes via utla-2024)
    ("E47000012", "York and North Yorkshire Combined Authority", "established Dec 2023 (mayor May 2024)", "2023-12",
     ("E06000014", "E06000065")),
    ("E47000013", "East Midlands Combined County Authority", "established Feb 2024 (mayor May 2024)", "2024-02",
     ("E06000015", "E06000018", "E10000007", "E10000024")),
]
SA_FILE_UNITS = {  # name in strategic_authorities_2024_2028.csv -> (code if the file has none, start, era)
    "North East Mayoral Combined Authority": ("", "2024-05", 2025),
    "Greater Lincolnshire Combined County Authority": ("", "2025-02", 2025),
    "Hull and East Yorkshire Mayoral Combined Authority": ("", "2025-02", 2025),
    "Devon and Torbay Combined County Authority (foundation)": ("SA-DEVON-TORBAY", "2025-02", 2025),
    "Lancashire Combined County Authority (foundation)": ("SA-LANCASHIRE", "2025-02", 2025),
    "Cheshire and Warrington Combined Authority": ("SA-CHESHIRE-WARRINGTON", "2027-05", 2028),
    "Cumbria Combined Authority": ("SA-CUMBRIA", "2027-05", 2028),
    "Greater Essex Combined County Authority": ("SA-GREATER-ESSEX", "2028-05", 2028),
    "Hampshire and the Solent Combined County Authority": ("SA-HAMPSHIRE-SOLENT", "2028-05", 2028),
    "Norfolk and Suffolk Combined County Authority": ("SA-NORFOLK-SUFFOLK", "2028-05", 2028),
    "Sussex and Brighton Combined County Authority": ("SA-SUSSEX-BRIGHTON", "2028-05", 2028),
}  # "Wessex (proposed MSA)" is left out: proposed, not in the devolution priority programme

# Police command units: which rows of facts/police_bcus_2024.csv are in each layer.
BCU_NOT_IN_2024 = ("2025-05-07 onwards", "2026-01-19 onwards")  # structures that began after 2024
BCU_SUPERSEDED = ("2010 to 2025-05", "2018 to 2026-01-18")  # structures replaced since
BCU_PARTIAL_FORCES = ("Northumbria Police", "Wiltshire Police")

# Provenance of corpus files the manifest does not describe (added in 2026; from the data README).
EXTRA_PROVENANCE = {
    "lookup_lsoa21_sicbl24_icb24": (
        "ONS LSOA (2021) to SICBL to ICB to Cancer Alliance to LAD (April 2024) Lookup in EN",
        "humaniverse/geographr data/lookup_lsoa21_icb24.rda"),
    "lookup_lsoa11_ccg21_stp21_ltla21": (
        "ONS LSOA (2011) to CCG to STP to LAD (April 2021) Lookup in EN",
        "humaniverse/geographr data/lookup_lsoa11_ccg21_stp21_ltla21.rda"),
    "facts/icb_mergers_2026": (
        "UK Parliament written statement HCWS915 (9 Sep 2025): ICB mergers from April 2026; Frimley split per "
        "scenarios/icb_2026_frimley_split_verified.csv", "coterm data corpus facts/icb_mergers_2026.csv"),
    "facts/pct_to_ccg15_postcode_shares": (
        "Share of each 2011 PCT's postcodes in each 2015 CCG (151 PCTs; publisher not stated: indicative)",
        "github.com/elahmo/dsfood app/static/csv/ccg2ons.js, via the coterm data corpus"),
    "facts/police_bcus_2024": (
        "Police basic command units of 32 forces as groups of LAD 2024 districts (force pages, PCC plans, FOI "
        "replies; one source per row)", "coterm data corpus facts/police_bcus_2024.csv"),
    "scenarios/strategic_authorities_2024_2028": (
        "Strategic authorities established 2024-25 or ordered in 2026, with member councils (sources per row)",
        "coterm data corpus scenarios/strategic_authorities_2024_2028.csv"),
}
