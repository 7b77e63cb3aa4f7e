"""The README's reproduction-status table is generated from files the notebooks and parity runs wrote, never typed:
every synthetic accuracy in it equals the comparison's results file, and every named official-weights converter exists."""
import importlib, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))
import make_readme


def _table_rows(text):
    start = text.index('| method | parity with the official code')
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith('|'): break
        rows.append([c.strip() for c in line.strip('|').split('|')])
    return rows


def test_readme_holds_the_generated_table():
    readme = (ROOT / 'README.md').read_text()
    assert make_readme.status_table() in readme, "README.md is stale: run python tools/make_readme.py"


def test_synthetic_numbers_come_from_the_comparison_file():
    facts = json.loads((ROOT / 'results' / 'reproduction.json').read_text())
    cmp_file = ROOT / 'results' / 'compare' / 'results.json'
    table = json.loads(cmp_file.read_text())['table'] if cmp_file.exists() else []
    rows = _table_rows(make_readme.status_table())
    assert [r[0] for r in rows] == [k for k in facts if not k.startswith('_')]
    for label, *_, syn, paper, _nv in rows:
        ok = {(r['protocol'], r['variant']): r for r in table if r.get('method') == label and r.get('status') == 'ok'}
        if not ok: continue
        nums = [float(x) for x in re.findall(r'\d+\.\d', syn)]
        want = ok[('linear', 'pretrained')]['top1_mean']
        assert abs(nums[0] - want) < 0.051, (label, syn, want)
    # paper numbers are shown as recorded
    for label, *_, paper, _nv in rows:
        for k, v in facts[label]['paper'].items(): assert f'{k} {v}' in paper


def test_named_converters_exist():
    facts = json.loads((ROOT / 'results' / 'reproduction.json').read_text())
    names = {n for k, f in facts.items() if not k.startswith('_') for n in re.findall(r'load_\w+', f['official_weights'])}
    import pkgutil, skellit.methods as M
    mods = [importlib.import_module(f'skellit.methods.{m.name}') for m in pkgutil.iter_modules(M.__path__)]
    missing = [n for n in names if not any(hasattr(m, n) for m in mods)]
    assert not missing, f"results/reproduction.json names converters that skellit does not have: {missing}"
