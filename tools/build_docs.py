#!/usr/bin/env python
"""Build skellit's documentation site from the notebooks (mkdocs + mkdocs-material + mkdocs-jupyter + mkdocstrings).

    python tools/build_docs.py                 # executes every notebook (runners at smoke size) and writes _site/
    python tools/build_docs.py --no-execute    # render the notebooks as committed (no outputs), fast
    python tools/build_docs.py --check         # build, then check pages and internal links

nbdev's own site builder needs Quarto, which cannot be installed everywhere; this builds the same pages — one per
notebook with its prose, code, outputs and plotly figures, an API reference from the exported modules, the README as
front page and the latest comparison table — with pip-installable tools (`pip install -e '.[docs]'`). Plotly figures
are rendered from a local copy of plotly.js, so the site works offline.
"""
from __future__ import annotations
import argparse, json, os, re, shutil, subprocess, sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / '_docs_src'
LAYERS = [('Skeletons and data', r'^0\d_'), ('Reading data', r'^1\d_'), ('Building blocks', r'^2\d_'),
          ('Method interface', r'^3\d_'), ('Training and evaluation', r'^4\d_'), ('Methods', r'^[56]\d_'),
          ('Experiments', r'^7\d_'), ('Runners', r'^run_'), ('Comparison', r'^compare')]


def _title(nb: Path) -> str:
    "The notebook's title (its first markdown heading)."
    for c in json.loads(nb.read_text())['cells']:
        if c['cell_type'] == 'markdown':
            m = re.search(r'^#\s+(.+)$', ''.join(c['source']), re.M)
            if m: return m.group(1).strip()
    return nb.stem


def _modules() -> list:
    "Exported module names, from the package's files."
    out = []
    for p in sorted((ROOT / 'skellit').rglob('*.py')):
        if p.name in ('__init__.py', '_modidx.py'): continue
        out.append('skellit.' + '.'.join(p.relative_to(ROOT / 'skellit').with_suffix('').parts))
    return out


def prepare(execute: bool, only=None) -> dict:
    "Write the mkdocs source tree (_docs_src/) and config; returns the nav. `only`: execute just these notebooks (stems)."
    if SRC.exists(): shutil.rmtree(SRC)
    (SRC / 'api').mkdir(parents=True); (SRC / 'assets').mkdir()
    readme = (ROOT / 'README.md').read_text()
    readme = re.sub(r'^<!--.*?-->\n', '', readme)
    (SRC / 'index.md').write_text(readme)
    nbs = sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')) and p.name != 'index.ipynb')
    nav = [{'Home': 'index.md'}]
    for label, pat in LAYERS:
        group = [p for p in nbs if re.match(pat, p.name)]
        for p in group: shutil.copy(p, SRC / p.name)
        if group: nav.append({label: [{_title(p): p.name} for p in group]})
    table = ROOT / 'runs' / 'compare' / 'results.md'
    if table.exists():
        (SRC / 'results.md').write_text('# Comparison table\n\nThe latest table written by `nbs/compare.ipynb`.\n\n' + table.read_text())
        nav.append({'Results': 'results.md'})
    api = []
    for m in _modules():
        (SRC / 'api' / f'{m}.md').write_text(f'# `{m}`\n\n::: {m}\n')
        api.append({m: f'api/{m}.md'})
    nav.append({'API reference': api})
    import plotly
    shutil.copy(Path(plotly.__file__).parent / 'package_data' / 'plotly.min.js', SRC / 'assets' / 'plotly.min.js')
    cfg = dict(site_name='skellit', docs_dir=str(SRC), site_dir=str(ROOT / '_site'), use_directory_urls=True,
               theme=dict(name='material', features=['navigation.sections', 'navigation.indexes', 'content.code.copy']),
               nav=nav,
               plugins=['search', dict(**{'mkdocs-jupyter': dict(execute=execute, allow_errors=False, include_source=True,
                                                                  ignore_h1_titles=False, include_requirejs=False,
                                                                  execute_ignore=[p.name for p in nbs if only and p.stem not in only])}),
                        dict(mkdocstrings=dict(default_handler='python', handlers=dict(python=dict(
                            paths=[str(ROOT)], options=dict(show_source=False, docstring_style=None, show_root_heading=True)))))],
               markdown_extensions=['tables', 'admonition', dict(toc=dict(permalink=True))])
    (SRC.parent / '_docs_mkdocs.yml').write_text(json.dumps(cfg, indent=1))   # JSON is valid YAML
    return cfg


_CDN = re.compile(r'<script[^>]*src="https://cdn\.plot\.ly/plotly-[^"]*"[^>]*></script>')
_MATHJAX = re.compile(r'<script[^>]*src="https://cdnjs\.cloudflare\.com/ajax/libs/mathjax[^"]*"[^>]*></script>')


def localise_plotly(site: Path) -> int:
    "Point plotly figures at the site's own plotly.js (no CDN): the site renders offline. Returns the pages changed."
    n = 0
    for page in site.rglob('*.html'):
        s = page.read_text()
        local = os.path.relpath(site / 'assets' / 'plotly.min.js', page.parent)
        t = _MATHJAX.sub('', _CDN.sub(f'<script charset="utf-8" src="{local}"></script>', s))
        if t != s: page.write_text(t); n += 1
    return n


class _Links(HTMLParser):
    def __init__(self): super().__init__(); self.links = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ('href', 'src'):
            if a.get(k): self.links.append(a[k])


def check_site(site: Path, cfg: dict) -> list:
    "Problems: a notebook without its page, an internal link or asset that does not resolve."
    problems = []
    pages = [p for group in cfg['nav'] for v in group.values() for p in (v if isinstance(v, list) else [v])]
    for entry in pages:
        f = entry if isinstance(entry, str) else next(iter(entry.values()))
        if f.endswith('.ipynb') or f.endswith('.md'):
            out = site / ('index.html' if f == 'index.md' else f.rsplit('.', 1)[0] + '/index.html')
            if not out.exists(): problems.append(f'no page for {f} ({out.relative_to(site)})')
    for page in site.rglob('*.html'):
        if page.parent.name == 'search' or '404' in page.name: continue
        p = _Links(); p.feed(page.read_text())
        for link in p.links:
            if re.match(r'^(https?:|mailto:|data:|javascript:|#)', link): continue
            target = (page.parent / link.split('#')[0].split('?')[0]).resolve()
            if link.split('#')[0] == '': continue
            if target.is_dir(): target = target / 'index.html'
            if not target.exists(): problems.append(f'{page.relative_to(site)}: broken link {link}')
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--no-execute', action='store_true', help='render the notebooks without running them')
    ap.add_argument('--check', action='store_true', help='check pages and internal links after building')
    ap.add_argument('--only', nargs='*', default=None, help='execute only these notebooks (stems, e.g. 02_viz); render the rest as committed')
    a = ap.parse_args(argv)
    cfg = prepare(execute=not a.no_execute, only=a.only)
    env = dict(os.environ, IN_TEST='1', NO_MKDOCS_2_WARNING='1', PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get('PYTHONPATH', ''))
    r = subprocess.run([sys.executable, '-m', 'mkdocs', 'build', '-q', '-f', str(SRC.parent / '_docs_mkdocs.yml')], cwd=ROOT / 'nbs', env=env)
    if r.returncode: print('mkdocs build failed', file=sys.stderr); return r.returncode
    site = Path(cfg['site_dir'])
    print(f'site: {site} ({sum(1 for _ in site.rglob("*.html"))} pages; plotly localised in {localise_plotly(site)})')
    if a.check:
        problems = check_site(site, cfg)
        for p in problems: print('!!', p, file=sys.stderr)
        if problems: return 1
        print('all notebook pages present, no broken internal links')
    return 0


if __name__ == '__main__': sys.exit(main())
