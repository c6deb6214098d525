"""The renderer's fonts: the portal's own, never the machine's.

WeasyPrint starts from the machine's fontconfig set and adds the style sheet's ``@font-face``
fonts to it, so a character none of the portal's fonts has would be drawn with whatever font the
machine happens to have: an Arabic name in DejaVu on one worker, as empty boxes on another. The
renderer's font configuration here starts empty instead: Pango sees only the fonts the style
sheet declares (``static/fonts/``, decision 0017). A character none of them has is a missing
glyph of a portal font, which the tests of names in other scripts would find. WeasyPrint has no
public way to start without the machine's fonts: this sets its private configuration, checked with
the pinned versions only (``rendering.CHECKED_WEASYPRINT_VERSIONS``, decision 0028).
"""

import ctypes
import ctypes.util

from weasyprint.text.ffi import ffi, fontconfig, pangoft2
from weasyprint.text.fonts import FontConfiguration

# WeasyPrint's bindings do not declare FcConfigCreate: it is called through ctypes on the same
# library, and the pointer handed to WeasyPrint's bindings.
_fontconfig = ctypes.CDLL(ctypes.util.find_library("fontconfig") or "libfontconfig.so.1")
_fontconfig.FcConfigCreate.restype = ctypes.c_void_p


class PortalFonts(FontConfiguration):
    """WeasyPrint's font configuration on an empty fontconfig configuration: no system font."""

    def __init__(self):
        super().__init__()
        empty = ffi.cast("FcConfig *", _fontconfig.FcConfigCreate())
        pangoft2.pango_fc_font_map_set_config(ffi.cast("PangoFcFontMap *", self.font_map), empty)
        # As WeasyPrint does: the font map keeps its own reference, which keeps the configuration.
        fontconfig.FcConfigDestroy(empty)
        # Where WeasyPrint adds the @font-face fonts.
        self._config = empty

    def font_files(self) -> list[str]:
        """The files of every font Pango may choose from (WeasyPrint's copies of the style sheet's)."""
        files = []
        path = ffi.new("FcChar8 **")
        for font_set in (fontconfig.FcSetSystem, fontconfig.FcSetApplication):
            fonts = fontconfig.FcConfigGetFonts(self._config, font_set)
            for index in range(0 if fonts == ffi.NULL else fonts.nfont):
                fontconfig.FcPatternGetString(fonts.fonts[index], b"file", 0, path)
                files.append(ffi.string(path[0]).decode())
        return files
