"""GL-Transformer runner at smoke size under papermill: on the synthetic default, and on an NW-UCLA-format folder
(all_sqe JSON files written from synthetic data) with the paper-nwucla preset and the nwucla split."""
import json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / 'nbs' / 'run_gl_transformer.ipynb'


def _run(tmp_path, *params):
    out, run = tmp_path / 'out.ipynb', tmp_path / 'run'
    args = [sys.executable, '-m', 'papermill', str(NB), str(out), '-p', 'smoke', 'True', '-p', 'out_dir', str(run), '--cwd', str(tmp_path)]
    for k, v in params: args += ['-p', k, str(v)]
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads((run / 'metrics.json').read_text()), json.loads((run / 'recipe.json').read_text()), out


def test_run_gl_transformer_smoke_on_synthetic(tmp_path):
    m, recipe, out = _run(tmp_path)
    assert (m['method'], m['preset'], m['smoke']) == ('gl_transformer', 'demo', True)
    assert sorted(m['results']) == ['knn', 'linear', 'supervised']
    assert sorted(m['results']['linear']) == ['pretrained', 'random_init', 'raw']
    for v in ('pretrained', 'random_init'): assert 0 <= m['results']['linear'][v]['top1'] <= 100
    assert m['pretrain']['epochs'] == 1 and m['pretrain']['loss_last'] > 0
    assert m['spec']['num_joints'] == 25 and m['spec']['num_persons'] == 2
    assert recipe['model']['intervals'] == [1, 5, 10] and recipe['model']['dim'] == 4      # the smoke model of the demo
    cells = json.loads(out.read_text())['cells']
    figs = [o for c in cells if c['cell_type'] == 'code' for o in c.get('outputs', [])
            if 'application/vnd.plotly.v1+json' in o.get('data', {})]
    titles = json.dumps([f['data']['application/vnd.plotly.v1+json'].get('layout', {}) for f in figs])
    assert len(figs) == 4 and 'mean attended distance (frames)' in titles and 'direction accuracy (%)' in titles


def test_run_gl_transformer_paper_nwucla_on_nwucla_folder(tmp_path):
    from skellit.io.synthetic import make_synthetic
    from skellit.io.formats import write_nwucla
    d = make_synthetic(n=60, layout='nwucla20', seed=1, t_range=(20, 80), classes=list(range(10)))
    d.meta['view'] = (d.meta['camera'] - 1) % 3 + 1
    write_nwucla(tmp_path / 'ucla', d)
    m, recipe, _ = _run(tmp_path, ('preset', 'paper-nwucla'), ('data_path', tmp_path / 'ucla' / 'all_sqe'), ('split', 'nwucla'),
                        ('intervals', '1,5'))
    assert (m['preset'], m['spec']['num_joints'], m['spec']['layout'], m['spec']['num_persons']) == ('paper-nwucla', 20, 'nwucla20', 1)
    assert recipe['model']['max_frames'] == 50 and recipe['model']['long'] == 'resize' and recipe['model']['intervals'] == [1, 5]
    assert set(m['results']) >= {'knn', 'linear'} and m['train_size'] + m['test_size'] <= 96
