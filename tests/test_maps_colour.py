"""The class palette stays distinguishable under colour-vision deficiency (issue 15 §3).

Simulation: Machado, Oliveira & Fernandes (2009), severity 1.0, in linear sRGB. Distance: CIEDE2000
(Sharma, Wu & Dalal 2005), checked against their published test pairs. Each class colour is compared
with every other, plain and as drawn (at the fill opacity on the page background).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied in linear RGB
M = {
 "protanopia": np.array([[0.152286,1.052583,-0.204868],[0.114503,0.786281,0.099216],[-0.003882,-0.048116,1.051998]]),
 "deuteranopia": np.array([[0.367322,0.860646,-0.227968],[0.280085,0.672501,0.047413],[-0.011820,0.042940,0.968881]]),
 "tritanopia": np.array([[1.255528,-0.076749,-0.178779],[-0.078411,0.930809,0.147602],[0.004733,0.691367,0.303900]]),
}
def hex2rgb(h): h=h.lstrip("#"); return np.array([int(h[i:i+2],16)/255 for i in (0,2,4)])
def lin(c): return np.where(c<=0.04045, c/12.92, ((c+0.055)/1.055)**2.4)
def delin(c): c=np.clip(c,0,1); return np.where(c<=0.0031308, 12.92*c, 1.055*c**(1/2.4)-0.055)
def simulate(rgb, kind): return delin(M[kind] @ lin(rgb)) if kind else rgb
def lab(rgb):
    l=lin(rgb)
    X,Y,Z = np.array([[0.4124564,0.3575761,0.1804375],[0.2126729,0.7151522,0.0721750],[0.0193339,0.1191920,0.9503041]]) @ l
    xn,yn,zn=0.95047,1.0,1.08883
    f=lambda t: np.where(t>(6/29)**3, np.cbrt(t), t/(3*(6/29)**2)+4/29)
    fx,fy,fz=f(X/xn),f(Y/yn),f(Z/zn)
    return np.array([116*fy-16, 500*(fx-fy), 200*(fy-fz)])
def ciede2000(lab1, lab2):
    L1,a1,b1=lab1; L2,a2,b2=lab2
    C1=np.hypot(a1,b1); C2=np.hypot(a2,b2); Cb=(C1+C2)/2
    G=0.5*(1-np.sqrt(Cb**7/(Cb**7+25**7)))
    a1p,a2p=(1+G)*a1,(1+G)*a2
    C1p,C2p=np.hypot(a1p,b1),np.hypot(a2p,b2)
    h1p=np.degrees(np.arctan2(b1,a1p))%360; h2p=np.degrees(np.arctan2(b2,a2p))%360
    dLp=L2-L1; dCp=C2p-C1p
    dh=h2p-h1p
    if C1p*C2p==0: dh=0
    elif dh>180: dh-=360
    elif dh<-180: dh+=360
    dHp=2*np.sqrt(C1p*C2p)*np.sin(np.radians(dh/2))
    Lbp=(L1+L2)/2; Cbp=(C1p+C2p)/2
    if C1p*C2p==0: hbp=h1p+h2p
    elif abs(h1p-h2p)<=180: hbp=(h1p+h2p)/2
    elif h1p+h2p<360: hbp=(h1p+h2p+360)/2
    else: hbp=(h1p+h2p-360)/2
    T=1-0.17*np.cos(np.radians(hbp-30))+0.24*np.cos(np.radians(2*hbp))+0.32*np.cos(np.radians(3*hbp+6))-0.20*np.cos(np.radians(4*hbp-63))
    dtheta=30*np.exp(-((hbp-275)/25)**2)
    Rc=2*np.sqrt(Cbp**7/(Cbp**7+25**7))
    Sl=1+0.015*(Lbp-50)**2/np.sqrt(20+(Lbp-50)**2); Sc=1+0.045*Cbp; Sh=1+0.015*Cbp*T
    Rt=-np.sin(np.radians(2*dtheta))*Rc
    return float(np.sqrt((dLp/Sl)**2+(dCp/Sc)**2+(dHp/Sh)**2+Rt*(dCp/Sc)*(dHp/Sh)))
def worst(colours, alpha=None, bg="#f3f5f7"):
    res=[]
    for kind in (None,"protanopia","deuteranopia","tritanopia"):
        cs={k:hex2rgb(v) for k,v in colours.items()}
        if alpha: cs={k: alpha*c+(1-alpha)*hex2rgb(bg) for k,c in cs.items()}
        sim={k:lab(simulate(c,kind)) for k,c in cs.items()}
        for (k1,l1),(k2,l2) in itertools.combinations(sim.items(),2):
            res.append((ciede2000(l1,l2),kind,k1,k2))
    return sorted(res)[:4]


KINDS = (None, "protanopia", "deuteranopia", "tritanopia")


def min_distance(colours: dict, *, alpha=None, bg="#f3f5f7"):
    out = []
    for kind in KINDS:
        cs = {k: hex2rgb(v) for k, v in colours.items()}
        if alpha:
            cs = {k: alpha * c + (1 - alpha) * hex2rgb(bg) for k, c in cs.items()}
        sim = {k: lab(simulate(c, kind)) for k, c in cs.items()}
        out += [(ciede2000(l1, l2), kind or "normal", k1, k2) for (k1, l1), (k2, l2) in itertools.combinations(sim.items(), 2)]
    return min(out)


@pytest.mark.parametrize("lab1, lab2, expected", [
    ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
    ((50, -1.3802, -84.2814), (50, 0, -82.7485), 1.0000),
    ((50, 2.5, 0), (73, 25, -18), 27.1492),
    ((50, 2.5, 0), (50, 3.1736, 0.5854), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
])
def test_ciede2000_matches_sharmas_published_pairs(lab1, lab2, expected):
    assert ciede2000(np.array(lab1, float), np.array(lab2, float)) == pytest.approx(expected, abs=1e-4)


def test_simulation_keeps_greys_grey_and_confuses_red_with_green_for_deuteranopes():
    for g in ("#000000", "#777777", "#ffffff"):
        for kind in KINDS[1:]:
            assert np.allclose(simulate(hex2rgb(g), kind), hex2rgb(g), atol=0.02)
    red, green = hex2rgb("#d73027"), hex2rgb("#1a9850")
    assert ciede2000(lab(red), lab(green)) > 40
    assert ciede2000(lab(simulate(red, "deuteranopia")), lab(simulate(green, "deuteranopia"))) < 20


def test_the_old_red_green_palette_fails_the_check():
    old = {"coterminous": "#1a9850", "nested": "#a6d96a", "contains": "#4393c3", "minor split": "#fdae61",
           "split": "#d73027", "outside": "#bdbdbd"}
    d, kind, k1, k2 = min_distance(old)
    assert d < 15 and kind == "deuteranopia" and {k1, k2} == {"nested", "minor split"}


def test_every_pair_of_class_colours_is_at_least_15_apart_under_every_vision():
    from coterm.maps.style import CLASS_COLOURS, FILL_OPACITY, PAGE_BACKGROUND

    plain = min_distance(CLASS_COLOURS)
    drawn = min_distance(CLASS_COLOURS, alpha=FILL_OPACITY, bg=PAGE_BACKGROUND)
    assert plain[0] >= 15, plain
    assert drawn[0] >= 15, drawn


def _contrast(c1, c2):
    def lum(c):
        r, g, b = lin(hex2rgb(c))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    hi, lo = sorted((lum(c1), lum(c2)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_class_badge_text_has_contrast_of_at_least_4_5():
    from coterm.maps.style import CLASS_COLOURS, CLASS_TEXT

    for k, c in CLASS_COLOURS.items():
        assert _contrast(c, CLASS_TEXT[k]) >= 4.5, k


def test_split_classes_also_carry_a_hatch_pattern():
    from coterm.maps.style import fill_styles

    styles, _ = fill_styles()
    assert styles["split"]["ctHatch"] == "split" and styles["minor split"]["ctHatch"] == "minor-split"
    assert all("ctHatch" not in styles[k] for k in ("coterminous", "nested", "contains", "outside"))


def test_the_index_cell_colours_poor_partial_and_clear_stay_apart_under_every_vision():
    from coterm.demo.page import cell_colour

    key = {"poor": cell_colour(0.2), "partial": cell_colour(0.6), "clear": cell_colour(1.0)}
    d = min_distance(key)
    assert d[0] >= 15, d
    for c in key.values():
        assert _contrast(c, "#111111") >= 4.5  # the cell text stays readable
