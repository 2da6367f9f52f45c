"""Regenerate the golden files: ``python tests/regen_golden.py``; then read ``git diff tests/data/golden``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from golden_cases import GOLDEN, KINDS, LANGUAGE_SETS, MARKUPS, MAX_CHARS, case, golden_name, rendered_text  # noqa: E402

from render import render  # noqa: E402


def main() -> int:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    written = 0
    for kind in KINDS:
        for markup in MARKUPS:
            for languages in LANGUAGE_SETS:
                message = render(kind, case(kind), markup=markup, languages=languages, max_chars=MAX_CHARS[markup])
                name = golden_name(kind, markup, languages)
                (GOLDEN / f"{name}.txt").write_text(rendered_text(message), encoding="utf-8")
                written += 1
                if markup == "slack":
                    blocks = message.extra.get("part_blocks")
                    (GOLDEN / f"{name}.json").write_text(
                        json.dumps(blocks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
                    )
                    written += 1
    print(f"wrote {written} files to {GOLDEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
