"""The Hi-TRS runner end to end at smoke size through papermill: pretraining, recognition protocols and the detection
and motion-prediction protocols write their numbers to metrics.json; and the runner takes NW-UCLA's 20-joint,
one-person layout from a data file."""
import json, subprocess, sys
from pathlib import Path

NB = Path(__file__).resolve().parents[1] / 'nbs' / 'run_hi_trs.ipynb'


def _run(tmp_path, *params):
    args = [sys.executable, '-m', 'papermill', str(NB), str(tmp_path / 'out.ipynb'), '-p', 'smoke', 'True',
            '-p', 'out_dir', str(tmp_path / 'run'), '--cwd', str(tmp_path), *params]
    r = subprocess.run(args, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads((tmp_path / 'run' / 'metrics.json').read_text())


def test_run_hi_trs_smoke(tmp_path):
    m = _run(tmp_path)
    assert m['method'] == 'hi_trs' and m['smoke'] and m['pretrain']['loss_first'] > 0
    res = m['results']
    assert set(res) >= {'knn', 'linear', 'detection', 'motion'}
    for v in ('pretrained', 'random_init'):
        assert 0 <= res['linear'][v]['top1'] <= 100
        d, mo = res['detection'][v], res['motion'][v]
        assert 0 <= d['mAP_v'] <= 100 and 0 <= d['mAP_a'] <= 100 and d['headline'] == 'mAP_v'
        assert mo['mpjpe'] > 0 and mo['zero_velocity'] > 0 and mo['headline'] == 'mpjpe'


def test_run_hi_trs_on_nwucla_layout(tmp_path):
    from skellit.io.synthetic import make_synthetic
    d = make_synthetic(n=60, layout='nwucla20', seed=1, t_range=(20, 40), classes=list(range(10)))
    from skellit.io.formats import write_nwucla
    d.meta['view'] = (d.meta['camera'] - 1) % 3 + 1
    write_nwucla(tmp_path / 'ucla', d)                       # NW-UCLA's JSON files: 20 joints, one person
    m = _run(tmp_path, '-p', 'data_path', str(tmp_path / 'ucla' / 'all_sqe'), '-p', 'split', 'nwucla',
             '-p', 'protocols', 'knn,detection', '-p', 'stream', 'bone')
    assert m['spec']['num_joints'] == 20 and m['spec']['layout'] == 'nwucla20' and m['spec']['num_persons'] == 1
    assert 0 <= m['results']['detection']['pretrained']['mAP_v'] <= 100
