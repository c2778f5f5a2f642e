"""The partner bodies a reorganisation option is judged against, and their plain-English labels."""

from __future__ import annotations

__all__ = ["default_option_partners", "PARTNER_PREFERENCE", "kind_label"]

# One entry per kind of partner body, newest first: the first layer the catalogue holds is used.
PARTNER_PREFERENCE = (
    ("icb-2026", "icb-2024", "icb-2022"),          # integrated care boards
    ("sicbl-2024", "sicbl-2022"),                  # sub-ICB locations
    ("pfa-2024", "pfa-2020"),                      # police force areas
    ("csp-2024", "csp-2019"),                      # community safety partnerships
    ("fra-2024", "fra-2021"),                      # fire and rescue authorities
    ("lrf-2024", "lrf-2020"),                      # local resilience forums
    ("sa-2028", "sa-2025"),                        # strategic authorities
)

_LABELS = {"icb": ("ICB", "ICBs"), "sicbl": ("sub-ICB location", "sub-ICB locations"), "pfa": ("police area", "police areas"),
           "csp": ("community safety partnership", "community safety partnerships"), "fra": ("fire authority", "fire authorities"),
           "lrf": ("resilience forum", "resilience forums"), "sa": ("strategic authority", "strategic authorities"),
           "ltla": ("district", "districts"), "utla": ("county or unitary council", "counties and unitary councils")}


def kind_label(layer_id: str, plural: bool = False) -> str:
    """``"pfa-2024"`` → ``"police area"`` (``"police areas"`` with ``plural``)."""
    kind = layer_id.split("-")[0]
    one, many = _LABELS.get(kind, (layer_id, layer_id))
    return many if plural else one


def default_option_partners() -> list[str]:
    """The current partner layers the catalogue holds: ICBs, sub-ICB locations, police force areas, CSPs, fire
    authorities, resilience forums and strategic authorities (newest vintage of each; kinds it lacks are left out)."""
    from ..catalog import catalog

    ids = {e.id for e in catalog().entries}
    return [next(x for x in group if x in ids) for group in PARTNER_PREFERENCE if any(x in ids for x in group)]
