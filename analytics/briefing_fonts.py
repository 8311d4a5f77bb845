"""The Chinese font the briefing PDF embeds: found once per machine, never bundled.

``find_cjk_font`` looks at ``$TONGWEI_CJK_FONT``, then Debian's usual paths
(``FONT_CANDIDATES``), then what fontconfig knows; with none it raises
``CJKFontMissing`` naming the package to install. In a font collection (.ttc) the
Simplified Chinese face is picked by name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# (regular, bold or None, Debian package) in order of preference. .ttc collections are
# embedded face by face (fpdf2's collection_font_number); the Simplified Chinese face
# is picked by name.
FONT_CANDIDATES: tuple[tuple[str, str | None, str], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "fonts-noto-cjk"),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
     "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", "fonts-noto-cjk"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None, "fonts-wqy-zenhei"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None, "fonts-wqy-microhei"),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None, "fonts-droid-fallback"),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", None, "fonts-arphic-uming"),
    ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", None, "fonts-arphic-gbsn00lp"),
)
FONT_ENV = "TONGWEI_CJK_FONT"
FONT_PACKAGE = "fonts-noto-cjk"


class CJKFontMissing(RuntimeError):
    """No Chinese font to embed in the PDF."""


@dataclass(frozen=True)
class CJKFont:
    regular: Path
    regular_index: int
    bold: Path | None
    bold_index: int
    package: str


@lru_cache(maxsize=None)
def _collection_index(path: Path) -> int:
    """The Simplified Chinese face of a font collection (0 for a single font)."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    try:
        from fontTools.ttLib import TTCollection  # installed with fpdf2

        collection = TTCollection(str(path), lazy=True)
        try:
            for index, font in enumerate(collection.fonts):
                name = font["name"].getDebugName(4) or ""
                if name.endswith(" SC") or " SC " in name or "GB" in name:
                    return index
        finally:
            collection.close()
    except Exception:  # a collection fontTools cannot read: its first face
        return 0
    return 0


def _fontconfig_font() -> CJKFont | None:
    """A Simplified Chinese font fontconfig knows of (fonts installed elsewhere than
    Debian's paths), preferring a regular, proportional SC/CN face; None without one."""
    import shutil
    import subprocess

    if not shutil.which("fc-list"):
        return None
    try:
        listing = subprocess.run(
            ["fc-list", ":lang=zh-cn", "-f", "%{file}|%{index}|%{family[0]}|%{style[0]}\\n"],
            capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    best = None
    for line in listing.splitlines():
        parts = line.split("|")
        if len(parts) != 4 or Path(parts[0]).suffix.lower() not in (".ttf", ".otf", ".ttc", ".otc"):
            continue
        file, index, family, style = parts
        rank = (("SC" in family or "CN" in family or "GB" in family),
                "Mono" not in family, style in ("Regular", "Book", "Normal"), "Sans" in family,
                -int(index or 0))
        if best is None or rank > best[0]:
            best = (rank, file, int(index or 0))
    if best is None:
        return None
    return CJKFont(Path(best[1]), best[2], None, 0, "fontconfig")


def find_cjk_font(candidates: tuple[tuple[str, str | None, str], ...] = FONT_CANDIDATES, *,
                  use_fontconfig: bool = True) -> CJKFont:
    """The first CJK font present: ``$TONGWEI_CJK_FONT`` if set, else ``candidates`` in
    order, else (``use_fontconfig``) what ``fc-list :lang=zh-cn`` offers.

    Raises ``CJKFontMissing`` naming the Debian package to install.
    """
    override = os.environ.get(FONT_ENV)
    if override:
        path = Path(override)
        if not path.is_file():
            raise CJKFontMissing(f"{FONT_ENV}={override} is not a font file")
        return CJKFont(path, _collection_index(path), None, 0, "")
    for regular, bold, package in candidates:
        path = Path(regular)
        if path.is_file():
            bold_path = Path(bold) if bold and Path(bold).is_file() else None
            return CJKFont(path, _collection_index(path), bold_path,
                           _collection_index(bold_path) if bold_path else 0, package)
    found = _fontconfig_font() if use_fontconfig else None
    if found is not None:
        return found
    looked = ", ".join(c[0] for c in candidates)
    raise CJKFontMissing(
        "No Chinese (CJK) font found for the PDF briefing (looked for " + looked + "). "
        f"Install the Debian package {FONT_PACKAGE} (apt-get install {FONT_PACKAGE}), "
        f"or set {FONT_ENV} to a .ttf/.otf/.ttc file.")
