"""The comparison: `nbs/compare.ipynb` runs under papermill at smoke size and writes its table files; the same seeds
give the same table; a failing method is recorded (or raised with strict=True) while the others still run."""
import contextlib, csv, io, json, re, subprocess, sys
from pathlib import Path
import pytest
import torch.nn as nn
import plotly.graph_objects as go
from skellit.compare import compare_methods
from skellit.explorer import explore
from skellit.data import toy_data
from skellit.train.registry import Recipe, register_method, register_recipe, METHODS, RECIPES

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / 'nbs' / 'compare.ipynb'
PARAMS = ['methods', 'preset', 'data_path', 'split', 'protocols', 'seeds', 'device', 'out_dir', 'smoke', 'streams']


@pytest.fixture(scope='module')
def toy():
    return toy_data(n=24, T=16, num_classes=3, seed=0), toy_data(n=12, T=16, num_classes=3, seed=1)


def _quiet(**kw):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return compare_methods(smoke=True, progress=False, **kw)


def test_parameters_typed_and_listed_by_papermill():
    cells = json.loads(NB.read_text())['cells']
    params = [c for c in cells if 'parameters' in c.get('metadata', {}).get('tags', [])]
    assert len(params) == 1
    assert re.findall(r'^(\w+)\s*:\s*\w+\s*=', ''.join(params[0]['source']), re.M) == PARAMS
    out = subprocess.run([sys.executable, '-m', 'papermill', '--help-notebook', str(NB)], capture_output=True, text=True, timeout=120)
    for n in PARAMS:
        line = next((l for l in out.stdout.splitlines() if l.strip().startswith(f'{n}:')), '')
        assert re.search(rf'{n}: (str|bool) \(default', line), f'{n!r} not typed: {line!r}'
    code = '\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'code')
    assert code.count('compare_methods(') == 1


def test_notebook_under_papermill_writes_the_table(tmp_path):
    out = tmp_path / 'cmp'
    r = subprocess.run([sys.executable, '-m', 'papermill', str(NB), str(tmp_path / 'out.ipynb'), '-p', 'methods', 'mamp,supervised',
                        '-p', 'smoke', 'True', '-p', 'out_dir', str(out), '--cwd', str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    rows = list(csv.DictReader((out / 'results.csv').open()))
    assert [(r['method'], r['recipe'], r['column'], r['status']) for r in rows] == [
        ('MAMP', 'mamp/demo', 'knn', 'ok'), ('MAMP', 'mamp/demo', 'linear', 'ok'),
        ('supervised from scratch', 'supervised/demo', 'knn', 'ok'), ('supervised from scratch', 'supervised/demo', 'linear', 'ok')]
    for r in rows:
        assert 0 <= float(r['top1_mean']) <= 100 and float(r['top1_std']) == 0 and r['seeds'] == '0'
        assert float(r['flops_per_sample']) > 0 and float(r['samples_per_s']) > 0 and int(r['params_encoder']) > 0
    assert rows[0]['flops_per_sample'] != rows[2]['flops_per_sample']       # measured per method
    assert {p.name for p in out.iterdir()} >= {'results.md', 'results.csv', 'results.json', 'results.html', 'mamp', 'supervised-from-scratch'}
    m = json.loads((out / 'mamp' / 'seed-0' / 'metrics.json').read_text())
    assert m['smoke'] and f"{m['results']['linear']['pretrained']['top1']}" == rows[1]['top1']
    assert '| MAMP | mamp/demo |' in (out / 'results.md').read_text()
    nb = json.loads((tmp_path / 'out.ipynb').read_text())
    shown = json.dumps([o for c in nb['cells'] for o in c.get('outputs', [])])
    assert 'application/vnd.plotly.v1+json' in shown and '| MAMP |' in shown
    with contextlib.redirect_stdout(io.StringIO()):
        ex = explore(None, out)                     # the explorer reloads the comparison's data from metrics.json
    assert ex.run.options == ('mamp/seed-0', 'supervised-from-scratch/seed-0') and len(ex.data) == m['test_size']
    assert isinstance(ex.figures['masks'], go.Figure)                          # MAMP's mask_figure


def test_same_seeds_same_table(toy, tmp_path):
    kw = dict(methods='mamp,supervised', data=toy, seeds='1', protocols='knn,linear')
    a, b = _quiet(out_dir=tmp_path / 'a', **kw), _quiet(out_dir=tmp_path / 'b', **kw)
    key = lambda c: [(r['method'], r['column'], r['top1']) for r in c.table]
    assert key(a) == key(b) and len(key(a)) == 4 and all(len(t) == 1 for _, _, t in key(a))
    assert [r['flops_per_sample'] for r in a.table] == [r['flops_per_sample'] for r in b.table]
    assert (tmp_path / 'a' / 'mamp' / 'seed-1' / 'pretrained.pt').exists() and a.table[0]['seeds'] == [1]


class _Broken(nn.Module):
    def __init__(self): raise RuntimeError('this method is broken on purpose')


@pytest.fixture
def broken():
    register_method('broken_test', lambda r, s: _Broken())
    register_recipe(Recipe('broken_test', 'demo'))
    yield
    METHODS.pop('broken_test'); RECIPES.pop(('broken_test', 'demo'))


def test_a_failing_method_is_recorded_or_raised(toy, tmp_path, broken):
    c = _quiet(methods='supervised,broken_test', data=toy,
               protocols='knn', out_dir=tmp_path)
    st = {r['method']: r for r in c.table}
    assert st['supervised from scratch']['status'] == 'ok'
    assert st['broken_test']['status'] == 'error' and 'RuntimeError: this method is broken on purpose' in st['broken_test']['error']
    assert 'broken on purpose' in (tmp_path / 'broken-test' / 'seed-0' / 'error.txt').read_text()
    assert 'error: seed 0: RuntimeError' in c.markdown()
    with pytest.raises(RuntimeError, match='broken on purpose'):
        _quiet(methods='broken_test', data=toy, protocols='knn', out_dir=tmp_path / 's', strict=True)


def test_unregistered_names_are_skipped_and_typos_refused(toy, tmp_path):
    with pytest.raises(ValueError, match="unknown method 'mampp'"):
        _quiet(methods='mampp', data=toy, out_dir=tmp_path)
    c = _quiet(methods='supervised', data=toy, protocols='knn', out_dir=tmp_path, preset='demo')
    assert [r['status'] for r in c.table] == ['ok']
    from skellit.compare import resolve_methods
    runs, skipped = resolve_methods(None, 'demo')
    assert len(runs) + len(skipped) == 9 and all(why.startswith('not registered') for _, why in skipped)
