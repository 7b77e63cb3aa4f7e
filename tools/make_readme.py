#!/usr/bin/env python3
"""Generate README.md from nbs/index.ipynb (Quarto, which nbdev uses for this, is not installable here).

Markdown cells are copied as they are; code cells become ```python blocks (outputs are not copied; cells that
start with `#| hide` are skipped). `--check` exits 1 if README.md is out of date.
"""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STATUS_MARK = '<!-- STATUS -->'

def _fmt(rows, protocol, variant):
    r = next((r for r in rows if r.get('protocol') == protocol and r.get('variant') == variant), None)
    if r is None: return '–'
    n = len(r['top1'])
    return f"{r['top1_mean']:.1f}" + (f" ± {r['top1_std']:.1f}" if n > 1 else '')

def status_table(results=ROOT / 'results') -> str:
    """The reproduction-status table: facts from results/reproduction.json, synthetic accuracies from the comparison's
    results/compare/results.json (written by nbs/compare.ipynb) — numbers are read from those files, never typed here."""
    facts = json.loads((Path(results) / 'reproduction.json').read_text())
    cmp_path = Path(results) / 'compare' / 'results.json'
    cmp = json.loads(cmp_path.read_text()) if cmp_path.exists() else {'table': [], 'config': {}}
    cfg = cmp.get('config', {})
    lines = ['| method | parity with the official code | official weights | synthetic linear top-1 % (pretrained / random init) | paper, top-1 % | not verified here |',
             '|---|---|---|---|---|---|']
    for label, f in facts.items():
        if label.startswith('_'): continue
        rows = [r for r in cmp.get('table', []) if r.get('method') == label and r.get('status') == 'ok']
        err = next((r for r in cmp.get('table', []) if r.get('method') == label and r.get('status') != 'ok'), None)
        syn = f"{_fmt(rows, 'linear', 'pretrained')} / {_fmt(rows, 'linear', 'random_init')}" if rows else (err['status'] if err else 'not run')
        paper = '; '.join(f'{k} {v}' for k, v in f['paper'].items())
        lines.append(f"| {label} | {f['parity']} | {f['official_weights']} | {syn} | {paper} | {f['not_verified']} |")
    seeds = cfg.get('seeds', [])
    lines.append('')
    lines.append(f"Synthetic numbers: `results/compare/results.json`, written by `nbs/compare.ipynb` (preset `{cfg.get('preset', '?')}`, "
                 f"seeds {', '.join(map(str, seeds)) or '?'}, data `{cfg.get('data', 'synthetic')}`); the table is regenerated from "
                 "that file and `results/reproduction.json` by `python tools/make_readme.py` (a test checks it).")
    return '\n'.join(lines)

def render(nb_path=ROOT / 'nbs' / 'index.ipynb') -> str:
    nb = json.loads(Path(nb_path).read_text())
    parts = ['<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->']
    for c in nb['cells']:
        src = ''.join(c['source']).strip('\n')
        if not src: continue
        if c['cell_type'] == 'markdown': parts.append(src.replace(STATUS_MARK, STATUS_MARK + '\n' + status_table()) if STATUS_MARK in src else src)
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
