#!/usr/bin/env python3
"""Rebuilds NotoSerifSC-GB2312.otf from Debian's fonts-noto-cjk (see README.md).

Keeps ASCII, Latin-1, general punctuation, CJK symbols and punctuation, fullwidth forms, every
character of GB 2312 (decoded with Python's 'gb2312' codec) and the characters of the crate's
fixed texts (src/*.rs), with only the layout features a horizontal Chinese text needs.
"""
import pathlib
import subprocess
import sys

SOURCE = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
FONT_NUMBER = "2"  # Noto Serif CJK SC within the collection
HERE = pathlib.Path(__file__).resolve().parent

chars = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for src in sorted((HERE.parent / "src").glob("**/*.rs")):
    chars.update(c for c in src.read_text(encoding="utf-8") if ord(c) > 0x7F)
chars.add("\u3007")  # 〇, used in dates written out in Chinese

text_file = HERE / "subset-chars.txt"
text_file.write_text("".join(sorted(chars)), encoding="utf-8")
try:
    subprocess.run(
        [
            "pyftsubset", SOURCE, f"--font-number={FONT_NUMBER}",
            "--unicodes=U+0020-007E,U+00A0-00FF,U+2000-206F,U+3000-303F,U+FF00-FFEF",
            f"--text-file={text_file}",
            "--layout-features=ccmp,liga,kern",
            "--no-hinting", "--name-IDs=*",
            f"--output-file={HERE / 'NotoSerifSC-GB2312.otf'}",
        ],
        check=True,
    )
finally:
    text_file.unlink()
print("wrote", HERE / "NotoSerifSC-GB2312.otf", file=sys.stderr)
