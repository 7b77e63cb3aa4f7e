"""The MsMCLR runner (`nbs/run_msmclr.ipynb`) end to end under papermill at smoke size: all three streams trained and
fused with the official weights, and a single stream of another variant on an NW-UCLA folder (20 joints, one person)
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
    r = subprocess.run(args, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    cells = json.loads(out.read_text())['cells']
    assert not any(o.get('output_type') == 'error' for c in cells for o in c.get('outputs', []))
    return json.loads((run / 'metrics.json').read_text()), run


def test_run_msmclr_all_streams_fused(tmp_path):
    m, run = _run(tmp_path, 'variant', 'msmclr', 'stream', 'all')
    assert m['method'] == 'msmclr' and m['smoke'] and m['streams'] == ['joint', 'bone', 'motion']
    assert m['fusion_weights'] == {'joint': 0.6, 'bone': 0.6, 'motion': 0.4}
    for s in ('joint', 'bone', 'motion', 'fused'):
        assert set(m['results'][f'linear ({s})']) >= {'pretrained', 'random_init'}, s
        assert 0 <= m['results'][f'linear ({s})']['pretrained']['top1'] <= 100
    for s in ('joint', 'bone', 'motion'):
        assert json.loads((run / f'stream-{s}' / 'recipe.json').read_text())['model']['stream'] == s
    log = [json.loads(l) for l in (run / 'stream-joint' / 'log.jsonl').read_text().splitlines() if l.strip()]
    assert any({'infonce', 'd3m_joint', 'd3m_part', 'd3m_body'} <= set(r) for r in log)     # MsMCLR's loss parts were logged


def test_run_aimclr_bone_on_nwucla_folder(tmp_path):
    from skellit.io.synthetic import make_synthetic
    from skellit.io.formats import write_nwucla
    d = make_synthetic(n=60, layout='nwucla20', seed=1, t_range=(20, 40), classes=list(range(10)))
    d.meta['view'] = (d.meta['camera'] - 1) % 3 + 1
    write_nwucla(tmp_path / 'ucla', d)
    m, run = _run(tmp_path, 'data_path', tmp_path / 'ucla' / 'all_sqe', 'split', 'nwucla', 'variant', 'aimclr', 'stream', 'bone')
    assert m['method'] == 'aimclr' and m['spec']['num_joints'] == 20 and m['spec']['layout'] == 'nwucla20'
    assert m['spec']['num_persons'] == 1 and set(m['results']['linear']) == {'pretrained', 'random_init', 'raw'}
    recipe = json.loads((run / 'recipe.json').read_text())
    assert recipe['model']['stream'] == 'bone' and recipe['fusion'] == {'joint': 0.6, 'bone': 0.6, 'motion': 0.4}
