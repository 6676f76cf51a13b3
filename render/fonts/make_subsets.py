#!/usr/bin/python3
"""Makes the two font files the reports embed for their text in Windows-1252.

The reports draw with DejaVu Sans and DejaVu Sans Bold (Debian's
fonts-dejavu-core). libharu embeds a TrueType font with every table it finds
but the glyph outlines it does not use: the 6,000-glyph DejaVu file costs
each PDF some 150 KB raw (115 KB compressed, 62 KB of it glyph names), and
writing and compressing it was over half the time of a report. These
subsets hold the glyphs of the Windows-1252 characters and U+202F only,
without glyph names or hinting: 28 KB each. The Unicode (CID) font that a
text outside Windows-1252 needs still comes from the full DejaVu files.

Run it again only to change the character set (Debian: python3-fonttools):

    /usr/bin/python3 render/fonts/make_subsets.py /usr/share/fonts/truetype/dejavu render/fonts

Licence: the Bitstream Vera licence of DejaVu (LICENSE.DejaVu). A modified
font must not be named with "Bitstream" or "Vera"; these are renamed
"DejaVu Sans CTG subset" all the same, so that nobody takes them for the
originals.
"""
import os
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

FILES = [("DejaVuSans.ttf", "DejaVuSansCTG.ttf", "Book"),
         ("DejaVuSans-Bold.ttf", "DejaVuSansCTG-Bold.ttf", "Bold")]
FAMILY = "DejaVu Sans CTG subset"


def windows_1252():
    """The code points of Windows-1252's characters, and U+202F."""
    points = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    for byte in range(0x80, 0xA0):
        try:
            points.add(ord(bytes([byte]).decode("cp1252")))
        except UnicodeDecodeError:
            pass  # 0x81, 0x8D, 0x8F, 0x90, 0x9D hold no character
    points.add(0x202F)  # the narrow no-break space of French figures
    return points


def rename(font, style):
    """Names the subset FAMILY in every name record that gives a name."""
    postscript = FAMILY.replace(" ", "") + ("-" + style if style != "Book" else "")
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID == 4:
            record.string = FAMILY + ("" if style == "Book" else " " + style)
        elif record.nameID == 6:
            record.string = postscript
        elif record.nameID == 3:
            record.string = postscript + " (subset of " + record.toUnicode() + ")"


def main(source_dir, out_dir):
    options = subset.Options()
    options.glyph_names = False
    options.hinting = False
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recommended_glyphs = True
    for source, target, style in FILES:
        font = TTFont(os.path.join(source_dir, source))
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=windows_1252())
        subsetter.subset(font)
        rename(font, style)
        font.save(os.path.join(out_dir, target))
        print(target, os.path.getsize(os.path.join(out_dir, target)), "bytes")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_subsets.py DEJAVU_DIR OUT_DIR")
    main(sys.argv[1], sys.argv[2])
