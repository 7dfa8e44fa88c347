"""Pinyin first letters (拼音首字母) for dictionary search, computed on write.

pypinyin gets most names right, but polyphonic characters need a versioned exceptions file
(core/data/pinyin_exceptions.txt): 长治 is cz, not zz; 重医 is cy; 单县 is sx.
"""
from __future__ import annotations

from pathlib import Path

from pypinyin import Style, lazy_pinyin, load_phrases_dict

EXCEPTIONS_FILE = Path(__file__).parent / "data" / "pinyin_exceptions.txt"
MAX_PHRASE = 8
_exceptions: dict[str, str] = {}


def read_exceptions_file(path: Path = EXCEPTIONS_FILE) -> dict[str, str]:
    """PHRASE INITIALS per line; '#' comments. One letter per character, or a ValueError."""
    pairs: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        phrase, letters = parts if len(parts) == 2 else (line, "")
        if len(phrase) != len(letters) or not (letters.isascii() and letters.isalpha()):
            raise ValueError(f"{path.name}:{number}: {phrase} needs one letter per character")
        pairs[phrase] = letters.lower()
    return pairs


def load_exceptions(extra: dict[str, str] | None = None) -> None:
    """Load the file (plus back-office additions); idempotent, called in every worker at start-up."""
    pairs = read_exceptions_file()
    pairs.update({k: v.lower() for k, v in (extra or {}).items()})
    _exceptions.clear()
    _exceptions.update(pairs)
    # Also teach pypinyin itself, so its phrase segmentation agrees with us.
    load_phrases_dict({p: [[c] for c in letters] for p, letters in pairs.items() if len(p) > 1},
                      style="default")


def initials(name: str) -> str:
    """'长治医学院' -> 'czyxy'; ASCII letters and digits are kept, lower-cased; the rest dropped."""
    if not _exceptions:
        load_exceptions()
    out: list[str] = []
    plain_from = i = 0
    while i < len(name):
        for size in range(min(MAX_PHRASE, len(name) - i), 1, -1):
            letters = _exceptions.get(name[i:i + size])
            if letters:
                out.append(_plain(name[plain_from:i]))
                out.append(letters)
                i = plain_from = i + size
                break
        else:
            i += 1
    out.append(_plain(name[plain_from:]))
    return "".join(out)


def _plain(text: str) -> str:
    if not text:
        return ""
    letters = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda s: list(s)))
    return "".join(ch for ch in letters.lower() if ch.isascii() and ch.isalnum())
