"""QGIS-ready GeoPackages: layer styles (QML, and SLD for other tools) in the ``layer_styles`` table.

QGIS applies the row marked ``useAsDefault`` of ``layer_styles`` when a GeoPackage layer is opened,
so a double-click shows the picture of the HTML map: units filled by class with the maps' palette
(read from :mod:`coterm.maps`, the one place it is defined), the other layer as outlines, labels by
name. The table has the columns QGIS itself creates when it saves a style into a GeoPackage.

Styles are built from the package's own fixed text; the only data in them are class names (a fixed
vocabulary) and column names, both XML-escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from .errors import OutputError

__all__ = ["LayerStyle", "class_column_styles", "class_palette", "qml", "sld", "add_layer_styles", "read_layer_styles", "write_units_gpkg"]

_STYLE_TIME = "2000-01-01T00:00:00.000Z"  # fixed: reruns give byte-identical files
_LABEL_COLOUR = "#1f1f1f"


def class_palette() -> tuple[dict[str, str], str]:
    """(class → fill colour, outline colour) from the maps' style: one palette for pages and GeoPackages."""
    from . import maps

    style = getattr(maps, "style", maps)  # a maps/ package keeps its palette in maps.style
    colours = dict(getattr(style, "CLASS_COLOURS", None) or maps.CLASS_COLOURS)
    order = getattr(style, "CLASS_ORDER", None) or getattr(maps, "CLASS_ORDER", tuple(colours))
    outline = getattr(style, "OUTLINE_COLOUR", None) or getattr(maps, "OUTLINE_COLOUR", "#1f1f1f")
    return {k: colours[k] for k in order if k in colours} | colours, outline


@dataclass(frozen=True)
class LayerStyle:
    """How one GeoPackage layer is drawn: filled by ``class_column`` (or outlines when None), labelled by ``label_column``."""

    table: str
    class_column: str | None = "class"
    label_column: str | None = "name"
    title: str = ""
    counts: dict | None = None  # class → number of units in the legend (default: counted in the file)
    name: str = ""  # the style's name in QGIS (default: the table name)
    default: bool = True  # QGIS applies the default style on opening; others are in "Load style > from database"


def class_column_styles(table: str, columns, *, title: str = "") -> list[LayerStyle]:
    """One style per class column of a layer (e.g. ``class_vs_icb-2022``), the first one the default.

    For GeoPackages that hold one layer with several comparisons (the demo's ``coterm_units.gpkg``):
    QGIS opens the first, and lists the others under Layer Properties → Style → Load Style → From database.
    """
    return [LayerStyle(table=table, class_column=c, title=title or f"{table}: {c}", name=f"{table} {c}", default=i == 0)
            for i, c in enumerate(columns)]


def _rgba(hex_colour: str, alpha: int = 255) -> str:
    h = hex_colour.lstrip("#")
    return ",".join(str(int(h[i:i + 2], 16)) for i in (0, 2, 4)) + f",{alpha}"


def _fill_symbol(name: str, fill: str | None, outline: str, width_mm: float) -> str:
    opts = {
        "color": _rgba(fill) if fill else "0,0,0,0",
        "style": "solid" if fill else "no",
        "outline_color": _rgba(outline),
        "outline_style": "solid",
        "outline_width": f"{width_mm:g}",
        "outline_width_unit": "MM",
        "joinstyle": "round",
    }
    option = "".join(f'<Option name={quoteattr(k)} type="QString" value={quoteattr(v)}/>' for k, v in opts.items())
    props = "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in opts.items())  # QGIS < 3.26 reads <prop>
    return (f'<symbol type="fill" name={quoteattr(name)} alpha="{0.85 if fill else 1}" clip_to_extent="1" force_rhr="0">'
            f'<layer class="SimpleFill" pass="0" locked="0" enabled="1"><Option type="Map">{option}</Option>{props}</layer></symbol>')


def _labeling(column: str | None) -> str:
    if not column:
        return ""
    return ('<labeling type="simple"><settings calloutType="simple">'
            f'<text-style fieldName={quoteattr(column)} isExpression="0" fontSize="8" fontSizeUnit="Point" '
            f'textColor="{_rgba(_LABEL_COLOUR)}" textOpacity="1" fontFamily="Sans Serif" namedStyle="Regular">'
            '<text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.8"/>'
            '</text-style><placement placement="0" centroidInside="1" centroidWhole="0" fitInPolygonOnly="0"/>'
            '<rendering obstacle="1" scaleVisibility="0" displayAll="0" upsidedownLabels="0"/></settings></labeling>')


def qml(style: LayerStyle) -> str:
    """The QGIS style document (QML) of one layer."""
    colours, outline = class_palette()
    head = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
    if style.class_column:
        cats, syms = [], []
        for i, (cls, colour) in enumerate(colours.items()):
            label = f"{cls} ({style.counts.get(cls, 0)})" if style.counts is not None else cls
            cats.append(f'<category value={quoteattr(cls)} label={quoteattr(label)} symbol="{i}" render="true"/>')
            syms.append(_fill_symbol(str(i), colour, "#ffffff", 0.26))
        renderer = (f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(style.class_column)} symbollevels="0" '
                    f'enableorderby="0" forceraster="0"><categories>{"".join(cats)}</categories>'
                    f'<symbols>{"".join(syms)}</symbols></renderer-v2>')
    else:
        renderer = (f'<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
                    f'<symbols>{_fill_symbol("0", None, outline, 0.6)}</symbols></renderer-v2>')
    label_flag = "1" if style.label_column else "0"
    return (f'{head}<qgis version="3.22.16" styleCategories="Symbology|Labeling" labelsEnabled="{label_flag}">'
            f"{renderer}{_labeling(style.label_column)}<layerGeometryType>2</layerGeometryType></qgis>\n")


def sld(style: LayerStyle) -> str:
    """The same style as an OGC Styled Layer Descriptor 1.1 (for GeoServer, MapServer, ArcGIS Pro...)."""
    colours, outline = class_palette()
    rules = []
    text = ""
    if style.label_column:
        text = (f"<se:TextSymbolizer><se:Label><ogc:PropertyName>{escape(style.label_column)}</ogc:PropertyName></se:Label>"
                '<se:Font><se:SvgParameter name="font-size">10</se:SvgParameter></se:Font>'
                '<se:Halo><se:Radius>1</se:Radius><se:Fill><se:SvgParameter name="fill">#ffffff</se:SvgParameter></se:Fill></se:Halo>'
                f'<se:Fill><se:SvgParameter name="fill">{_LABEL_COLOUR}</se:SvgParameter></se:Fill></se:TextSymbolizer>')
    if style.class_column:
        for cls, colour in colours.items():
            rules.append(
                f"<se:Rule><se:Name>{escape(cls)}</se:Name><ogc:Filter><ogc:PropertyIsEqualTo>"
                f"<ogc:PropertyName>{escape(style.class_column)}</ogc:PropertyName><ogc:Literal>{escape(cls)}</ogc:Literal>"
                f"</ogc:PropertyIsEqualTo></ogc:Filter><se:PolygonSymbolizer><se:Fill>"
                f'<se:SvgParameter name="fill">{colour}</se:SvgParameter><se:SvgParameter name="fill-opacity">0.85</se:SvgParameter>'
                '</se:Fill><se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter>'
                '<se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke></se:PolygonSymbolizer></se:Rule>')
    else:
        rules.append('<se:Rule><se:Name>outline</se:Name><se:PolygonSymbolizer><se:Stroke>'
                     f'<se:SvgParameter name="stroke">{outline}</se:SvgParameter><se:SvgParameter name="stroke-width">2</se:SvgParameter>'
                     "</se:Stroke></se:PolygonSymbolizer></se:Rule>")
    if text:
        rules.append(f"<se:Rule><se:Name>labels</se:Name>{text}</se:Rule>")
    name = escape(style.table)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" '
            'xmlns:se="http://www.opengis.net/se" xmlns:xlink="http://www.w3.org/1999/xlink" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">'
            f"<NamedLayer><se:Name>{name}</se:Name><UserStyle><se:Name>{name}</se:Name><se:FeatureTypeStyle>"
            f"{''.join(rules)}</se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n")


def add_layer_styles(path, styles) -> None:
    """Add (or replace) the ``layer_styles`` table of a GeoPackage: one default style row per :class:`LayerStyle`.

    Call it on the file while it is still being built (in the temporary folder of an atomic write):
    it changes the file in place.
    """
    import pandas as pd
    import pyogrio

    from dataclasses import replace

    rows = []
    for st in styles:
        geom_col = pyogrio.read_info(str(path), layer=st.table).get("geometry_name") or "geom"
        if st.class_column and st.counts is None:  # the legend counts what is in the file
            values = pyogrio.read_dataframe(str(path), layer=st.table, columns=[st.class_column], read_geometry=False)
            st = replace(st, counts=values[st.class_column].value_counts().to_dict())
        rows.append({"f_table_catalog": "", "f_table_schema": "", "f_table_name": st.table, "f_geometry_column": geom_col,
                     "styleName": st.name or st.table, "styleQML": qml(st), "styleSLD": sld(st), "useAsDefault": st.default,
                     "description": st.title or f"coterm: {st.table}", "owner": "coterm", "ui": None,
                     "update_time": _STYLE_TIME})
    df = pd.DataFrame(rows, columns=["f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
                                     "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"])
    df["ui"] = df["ui"].astype(object)
    _fixed_gdal_date()
    pyogrio.write_dataframe(df, str(path), layer="layer_styles", driver="GPKG", layer_options={"OVERWRITE": "YES"})


def read_layer_styles(path):
    """The ``layer_styles`` table of a GeoPackage as a DataFrame (empty when there is none)."""
    import pandas as pd
    import pyogrio

    if "layer_styles" not in [n for n, _ in pyogrio.list_layers(str(path))]:
        return pd.DataFrame(columns=["f_table_name", "styleQML", "styleSLD", "useAsDefault"])
    return pyogrio.read_dataframe(str(path), layer="layer_styles", read_geometry=False)


def write_units_gpkg(scores, path) -> None:
    """The per-unit GeoPackage of a comparison: layer A filled by class, layer B as outlines, both labelled by name.

    Each layer holds code, name, class, n_partners, dominant partner and share, partners and the
    measures; only units with a geometry are written (regrouped scenario units have none).
    """
    _fixed_gdal_date()
    try:
        _write_units_layers(scores, path)
    except (OSError, RuntimeError) as exc:  # pyogrio's errors are RuntimeErrors (a full disk, a read-only folder)
        raise OutputError(f"{path}: could not be written ({_reason(exc)}); nothing was left behind") from None


def _reason(exc: Exception) -> str:
    import errno
    import os

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "disk is full" in text or "No space left" in text:
        return os.strerror(errno.ENOSPC)
    return getattr(exc, "strerror", None) or text[-200:]


def _write_units_layers(scores, path) -> None:
    import geopandas as gpd
    import pyogrio

    ov = scores.overlap
    styles = []
    for side, lay, fill in (("a", ov.a, True), ("b", ov.b, False)):
        u = scores.units[scores.units["side"] == side].drop(columns=["side", "layer"]).set_index("code", drop=False)
        geoms = lay.frame.geometry.reindex(u.index)
        keep = geoms.notna().to_numpy()
        gdf = gpd.GeoDataFrame(u.reset_index(drop=True)[keep], geometry=geoms.to_numpy()[keep], crs=lay.crs)
        table = _table_name(lay.id, taken=[s.table for s in styles])
        pyogrio.write_dataframe(gdf, str(path), layer=table, driver="GPKG")
        styles.append(LayerStyle(table=table, class_column="class" if fill else None, title=f"{lay.title} ({lay.id})"))
    add_layer_styles(path, styles)


def _table_name(layer_id: str, taken) -> str:
    import re

    name = re.sub(r"[^A-Za-z0-9_]+", "_", str(layer_id)).strip("_") or "layer"
    if name[0].isdigit():
        name = f"l_{name}"
    base, i = name, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    return name


def _fixed_gdal_date() -> None:
    import os

    os.environ.setdefault("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z")  # GDAL stamps gpkg_contents; fixed for reruns
