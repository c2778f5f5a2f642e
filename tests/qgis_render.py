"""Open a GeoPackage in QGIS headless (Debian's python3-qgis) and report what QGIS sees, as JSON on stdout.

Run with the system python3 (``QT_QPA_PLATFORM=offscreen python3 tests/qgis_render.py FILE LAYER... --pixels x,y;...``):
each layer is opened as QGIS opens it on a double-click (its default style from ``layer_styles``),
its renderer and labels are described, and the first layer is rendered to an image whose pixel
colours at the given map coordinates are reported. ``--project FILE.qgs`` also saves the layers as
QGIS opened them in a project, for ``qgis_process`` (its rendering algorithms need a project).
"""

import json
import os
import sys

from qgis.core import QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsPointXY, QgsVectorLayer
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def describe(layer):
    r = layer.renderer()
    d = {"valid": layer.isValid(), "renderer": r.type(), "labels": bool(layer.labelsEnabled()),
         "label_field": layer.labeling().settings().fieldName if layer.labeling() else None}
    if r.type() == "categorizedSymbol":
        d["attr"] = r.classAttribute()
        d["categories"] = {str(c.value()): c.symbol().color().name() for c in r.categories()}
    else:
        sl = r.symbol().symbolLayer(0)
        d["outline"] = sl.strokeColor().name()
        d["fill_alpha"] = sl.fillColor().alpha() if int(sl.brushStyle()) else 0
    return d


def main(argv):
    path, rest = argv[0], argv[1:]
    pixels, project = [], None
    if "--project" in rest:
        i = rest.index("--project")
        project = rest[i + 1]
        rest = rest[:i] + rest[i + 2:]
    if "--pixels" in rest:
        i = rest.index("--pixels")
        pixels = [tuple(float(v) for v in p.split(",")) for p in rest[i + 1].split(";") if p]
        rest = rest[:i] + rest[i + 2:]
    app = QgsApplication([], False)
    app.initQgis()
    layers = {name: QgsVectorLayer(f"{path}|layername={name}", name, "ogr") for name in rest}
    out = {name: describe(lay) for name, lay in layers.items()}
    first = layers[rest[0]]
    ms = QgsMapSettings()
    ms.setLayers([first])
    ms.setDestinationCrs(first.crs())
    ms.setExtent(first.extent())
    ms.setOutputSize(QSize(600, 600))
    ms.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererParallelJob(ms)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    m2p = ms.mapToPixel()
    out["pixels"] = []
    for x, y in pixels:
        p = m2p.transform(QgsPointXY(x, y))
        out["pixels"].append(QColor(img.pixel(int(p.x()), int(p.y()))).name())
    if project:  # the layers as QGIS opened them, for qgis_process to render
        from qgis.core import QgsProject

        proj = QgsProject.instance()
        for lay in layers.values():
            proj.addMapLayer(lay)
        proj.setCrs(first.crs())
        out["project"] = bool(proj.write(project))
    print(json.dumps(out), flush=True)
    os._exit(0)  # QGIS 3.22's Python bindings may crash while tearing down; the answer is already out


if __name__ == "__main__":
    main(sys.argv[1:])
