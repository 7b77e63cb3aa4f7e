"""Runner notebooks: one papermill parameters cell with the common parameters, typed and documented for
`papermill --help-notebook`; each runner is its parameters, one call of the experiment driver and its plots; and any
community data format reaches any runner (NW-UCLA JSON, AimCLR npy+pkl, pyskl pickle written from synthetic data)."""
import json, re, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
RUNNERS = sorted(NBS.glob('run_*.ipynb'))
COMMON = ['preset', 'data_path', 'split', 'epochs', 'batch_size', 'lr', 'device', 'seed', 'out_dir', 'protocols', 'resume', 'smoke', 'tensorboard']


def _cells(nb): return json.loads(nb.read_text())['cells']


@pytest.mark.parametrize('nb', RUNNERS, ids=lambda p: p.name)
def test_common_parameters_typed_and_listed_by_papermill(nb):
    params = [c for c in _cells(nb) if 'parameters' in c.get('metadata', {}).get('tags', [])]
    assert len(params) == 1
    names = re.findall(r'^(\w+)\s*:\s*\w+\s*=', ''.join(params[0]['source']), re.M)
    assert names[:len(COMMON)] == COMMON, f"{nb.name}: the common parameters come first, in this order: {COMMON}"
    out = subprocess.run([sys.executable, '-m', 'papermill', '--help-notebook', str(nb)], capture_output=True, text=True, timeout=120)
    assert 'Unable to parse' not in out.stdout + out.stderr, out.stderr
    for n in names:
        line = next((l for l in out.stdout.splitlines() if l.strip().startswith(f'{n}:')), '')
        assert 'Unknown type' not in line and re.search(rf'{n}: (str|int|float|bool) \(default', line), f"{nb.name}: {n!r} not typed: {line!r}"


@pytest.mark.parametrize('nb', RUNNERS, ids=lambda p: p.name)
def test_runner_is_parameters_one_call_and_plots(nb):
    code = [''.join(c['source']) for c in _cells(nb) if c['cell_type'] == 'code' and 'parameters' not in c.get('metadata', {}).get('tags', [])]
    src = '\n'.join(code)
    assert src.count('run_from_params(') == 1, f"{nb.name}: one call of skellit.experiment.run_from_params"
    for banned in ('fit(', 'linear_probe(', 'knn_monitor(', 'finetune(', 'load_dataset(', 'make_loader('):
        assert banned not in src, f"{nb.name} calls {banned}...: the experiment driver does that"
    lines = [l for l in src.splitlines() if l.strip() and not l.strip().startswith('#')]
    assert len(lines) <= 20, f"{nb.name}: {len(lines)} code lines besides the parameters; a runner is one call and its plots"


def _run(nb, tmp_path, data_path, split='', extra=()):
    out = tmp_path / 'out.ipynb'
    args = [sys.executable, '-m', 'papermill', str(NBS / nb), str(out), '-p', 'data_path', str(data_path), '-p', 'smoke', 'True',
            '-p', 'out_dir', str(tmp_path / 'run'), '--cwd', str(tmp_path)]
    if split: args += ['-p', 'split', split]
    args += list(extra)
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads((tmp_path / 'run' / 'metrics.json').read_text())


@pytest.fixture(scope='module')
def ucla_synthetic():
    from skellit.io.synthetic import make_synthetic
    return make_synthetic(n=60, layout='nwucla20', seed=1, t_range=(20, 40), classes=list(range(10)))


def test_run_mamp_on_nwucla_json_folder(tmp_path, ucla_synthetic):
    from skellit.io.formats import write_nwucla
    d = ucla_synthetic
    d.meta['view'] = (d.meta['camera'] - 1) % 3 + 1
    write_nwucla(tmp_path / 'ucla', d)
    m = _run('run_mamp.ipynb', tmp_path, tmp_path / 'ucla' / 'all_sqe', 'nwucla')
    assert m['spec']['num_joints'] == 20 and m['spec']['layout'] == 'nwucla20'
    assert m['train_size'] + m['test_size'] <= 96 and set(m['results']) >= {'knn', 'linear'}


def test_run_mamp_on_aimclr_folder_and_pyskl_file(tmp_path):
    from skellit.data import toy_data
    from skellit.io.formats import write_aimclr, write_pyskl
    d = toy_data(n=40, T=24, num_classes=4, seed=3)
    write_aimclr(tmp_path / 'aim', d.subset(range(30)), 'train'); write_aimclr(tmp_path / 'aim', d.subset(range(30, 40)), 'val')
    (tmp_path / 'a').mkdir(); (tmp_path / 'b').mkdir()
    m = _run('run_mamp.ipynb', tmp_path / 'a', tmp_path / 'aim')
    assert (m['train_size'], m['test_size']) == (30, 10)
    write_pyskl(tmp_path / 'p.pkl', d, splits={'xsub_train': range(28), 'xsub_val': range(28, 40)})
    m = _run('run_skeleton_mae.ipynb', tmp_path / 'b', tmp_path / 'p.pkl')
    assert (m['train_size'], m['test_size']) == (28, 12) and m['spec']['num_joints'] == 25


@pytest.fixture(scope='module')
def ctrgcn_npz(tmp_path_factory):
    "A CTR-GCN .npz (x_train, y_train, x_test, y_test) written by skellit's writer: it carries its own split."
    from skellit.io.formats import write_npz
    from skellit.io.splits import split_dataset
    from skellit.io.synthetic import make_synthetic
    p = tmp_path_factory.mktemp('npz') / 'NTU60_XSub.npz'
    tr, te = split_dataset(make_synthetic(72, seed=0, t_range=(20, 40)), 'synthetic-xsub')
    tr, te = tr.subset(range(min(len(tr), 40))), te.subset(range(24))    # within smoke size: every sample is used
    write_npz(p, tr, te)
    return p, len(tr), len(te)


@pytest.mark.parametrize('nb', RUNNERS, ids=lambda p: p.name)
def test_every_runner_uses_the_npz_files_own_split(nb, tmp_path, ctrgcn_npz):
    path, n_train, n_test = ctrgcn_npz
    m = _run(nb.name, tmp_path, path, extra=['-p', 'tensorboard', 'True'])     # no split parameter
    assert (m['train_size'], m['test_size']) == (n_train, n_test) and m['split'] is None
    assert set(m['results']) >= {'knn', 'linear'}
    assert list((tmp_path / 'run' / 'tensorboard').glob('events.out.tfevents.*')), "-p tensorboard True writes TensorBoard events"
