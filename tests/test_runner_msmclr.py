"""The MsMCLR runner (`nbs/run_msmclr.ipynb`) end to end under papermill at smoke size: each variant and stream reaches
the model, the metrics hold every protocol and variant, and the runner reads an NW-UCLA folder (20 joints, one person)
whose graph and part / body groupings come from the data's layout."""
import json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / 'nbs' / 'run_msmclr.ipynb'


def _run(tmp_path, *params):
    out, run = tmp_path / 'out.ipynb', tmp_path / 'run'
    args = [sys.executable, '-m', 'papermill', str(NB), str(out), '-p', 'smoke', 'True', '-p', 'out_dir', str(run),
            '--cwd', str(tmp_path)]
    for k, v in zip(params[::2], params[1::2]): args += ['-p', k, str(v)]
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads((run / 'metrics.json').read_text()), json.loads((run / 'recipe.json').read_text()), out


def test_run_msmclr_smoke(tmp_path):
    variant, stream = 'msmclr', 'motion'
    m, recipe, out = _run(tmp_path, 'variant', variant, 'stream', stream)
    assert m['method'] == variant and m['smoke'] and recipe['model']['stream'] == stream
    assert recipe['fusion'] == {'joint': 0.6, 'bone': 0.6, 'motion': 0.4}
    assert set(m['results']) >= {'knn', 'linear'} and set(m['results']['linear']) == {'pretrained', 'random_init', 'raw'}
    for r in m['results']['linear'].values(): assert 0 <= r['top1'] <= 100
    assert m['pretrain']['loss_first'] is not None and m['pretrain']['epochs'] >= 1
    cells = json.loads(out.read_text())['cells']
    assert not any(o.get('output_type') == 'error' for c in cells for o in c.get('outputs', []))


def test_run_msmclr_on_nwucla_folder(tmp_path):
    from skellit.io.synthetic import make_synthetic
    from skellit.io.formats import write_nwucla
    d = make_synthetic(n=60, layout='nwucla20', seed=1, t_range=(20, 40), classes=list(range(10)))
    d.meta['view'] = (d.meta['camera'] - 1) % 3 + 1
    write_nwucla(tmp_path / 'ucla', d)
    m, recipe, _ = _run(tmp_path, 'data_path', tmp_path / 'ucla' / 'all_sqe', 'split', 'nwucla', 'variant', 'aimclr', 'stream', 'bone')
    assert m['spec']['num_joints'] == 20 and m['spec']['layout'] == 'nwucla20' and m['spec']['num_persons'] == 1
    assert recipe['model']['stream'] == 'bone' and set(m['results']['linear']) == {'pretrained', 'random_init', 'raw'}
