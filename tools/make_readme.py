#!/usr/bin/env python3
"""Generate README.md from nbs/index.ipynb (Quarto, which nbdev uses for this, is not installable here).

Markdown cells are copied as they are; code cells become ```python blocks (outputs are not copied; cells that
start with `#| hide` are skipped). `--check` exits 1 if README.md is out of date.
"""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def render(nb_path=ROOT / 'nbs' / 'index.ipynb') -> str:
    nb = json.loads(Path(nb_path).read_text())
    parts = ['<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->']
    for c in nb['cells']:
        src = ''.join(c['source']).strip('\n')
        if not src: continue
        if c['cell_type'] == 'markdown': parts.append(src)
        elif c['cell_type'] == 'code':
            if src.lstrip().startswith('#| hide') or src.lstrip().startswith('#|hide'): continue
            lines = [l for l in src.splitlines() if not l.startswith('#|')]
            parts.append('```python\n' + '\n'.join(lines).strip('\n') + '\n```')
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text, out = render(), ROOT / 'README.md'
    if '--check' in sys.argv:
        if not out.exists() or out.read_text() != text:
            print('!! README.md is out of date: run python tools/make_readme.py and commit'); sys.exit(1)
        print('README.md is up to date')
    else:
        out.write_text(text); print(f'wrote {out}')
