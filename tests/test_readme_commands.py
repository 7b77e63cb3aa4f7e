"""Every command the README shows runs as written.

The README's fenced ```bash blocks are split into commands and run in README order in one working directory (so a
command may use what an earlier one wrote, e.g. `skellit eval --run runs/ntu60` after the training command), with
smoke-sized substitutions only:

* paths under `/data/` point to small files written here by the project's own writers (`skellit.io.formats.write_*`,
  `skellit.io.ntu_raw.write_skeleton`, an official-style MAMP checkpoint); a README path without such a file fails;
* `papermill` runs get `-p smoke True` (and the comparison one seed), `skellit train` and `torchrun ... skellit.cli train` get `--smoke`, a CUDA
  device becomes the CPU when there is none, `--workers N` becomes 1 and `torchrun` starts one process;
* console scripts are started through the entry points that `pyproject.toml` declares (what `pip install` creates);
* the install line, `bash .ci/run` and the docs build are what CI itself executes; here they are checked against
  `pyproject.toml`, `.ci/run` and `tests/test_docs.py` (pinned torch from PyTorch's CPU index, the declared extras, the
  CI script, the docs test that runs `tools/build_docs.py`).

The methods table agrees with `skellit list`: every registered method and preset is listed as in this release, and a
method listed as coming is not registered yet.

Every ```python block runs in a fresh interpreter in the same directory, with the same `/data/` substitution and the
synthetic default shrunk to a smoke size.
"""
import os, re, shlex, subprocess, sys, tomllib
from pathlib import Path
import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / 'README.md').read_text()
PYPROJECT = tomllib.loads((ROOT / 'pyproject.toml').read_text())


def _blocks(lang: str) -> list:
    return re.findall(rf'^```{lang}\n(.*?)^```', README, re.S | re.M)


def readme_commands() -> list:
    "Token lists of every shell command in the README's bash blocks ('&&' chains split, comments dropped)."
    out = []
    for block in _blocks('bash'):
        for line in block.splitlines():
            toks = shlex.split(line, comments=True)
            while toks:
                cut = toks.index('&&') if '&&' in toks else len(toks)
                out.append(toks[:cut]); toks = toks[cut + 1:]
    return out


COMMANDS = readme_commands()
PY_BLOCKS = _blocks('python')


def _script(name: str) -> list:
    "argv prefix that runs the console script `name` through the entry point pyproject.toml declares."
    target = PYPROJECT['project']['scripts'].get(name)
    assert target, f"the README runs `{name}` but pyproject.toml declares no such console script"
    mod, fn = target.split(':')
    return [sys.executable, '-c', f'import sys; from {mod} import {fn} as f; sys.argv[0] = {name!r}; sys.exit(f())']


def _entry_broken(name: str) -> bool:
    import importlib
    mod, fn = PYPROJECT['project']['scripts'][name].split(':')
    try: return not hasattr(importlib.import_module(mod), fn)
    except ImportError: return True


# -- small data for every /data/ path the README names ---------------------------------------------------------
def _ntu_like(n=72, seed=0):
    from skellit.io.synthetic import make_synthetic
    return make_synthetic(n, seed=seed, t_range=(20, 40))


def _write_npz(p):
    from skellit.io.formats import write_npz
    from skellit.io.splits import split_dataset
    write_npz(p, *split_dataset(_ntu_like(), 'synthetic-xsub'))

def _write_aimclr(p):
    from skellit.io.formats import write_aimclr
    from skellit.io.splits import split_dataset
    tr, te = split_dataset(_ntu_like(), 'synthetic-xsub')
    write_aimclr(p, tr, 'train'); write_aimclr(p, te, 'val')

def _write_pyskl(p):
    from skellit.io.formats import write_pyskl
    from skellit.io.splits import split_indices
    d = _ntu_like(); tr, te = split_indices(d, 'synthetic-xsub')
    write_pyskl(p, d, splits={'xsub_train': tr, 'xsub_val': te})

def _write_nwucla(p):
    from skellit.io.synthetic import make_synthetic
    from skellit.io.formats import write_nwucla
    d = make_synthetic(60, layout='nwucla20', seed=1, t_range=(20, 40), classes=list(range(10)))
    d.meta['view'] = (d.meta['camera'] - 1) % 3 + 1
    write_nwucla(p.parent, d)                      # files go to <parent>/all_sqe

def _write_pkummd(p):
    from skellit.data import toy_data
    from skellit.io.formats import write_pkummd
    names = write_pkummd(p, toy_data(n=18, T=24, num_classes=51, seed=5), per_video=3)
    videos = sorted({str(n).split('_')[0] for n in names})          # e.g. 0001-L: PKU-MMD's video ids
    cut = 2 * len(videos) // 3
    (p / 'cross-subject.txt').write_text(f"Training videos: \n{', '.join(videos[:cut])}\nValidataion videos: \n{', '.join(videos[cut:])}\n")

def _write_ntu_raw(p):
    from skellit.io.ntu_raw import write_skeleton
    from skellit.io.synthetic import make_synthetic
    d = make_synthetic(24, seed=2, t_range=(12, 20), classes=list(range(11)))   # one-person classes
    for i in range(len(d)):
        subject = 1 if i % 2 else 3                  # NTU-60 cross-subject: 1 trains, 3 tests
        xyz = np.asarray(d.sample(i))[..., 0].transpose(1, 2, 0)[:d.length[i]] + np.array([0., 0., 3.])
        write_skeleton(p / f'S001C00{d.meta["camera"][i]}P{subject:03d}R001A{d.label[i] + 1:03d}.skeleton',
                       [[('72057594037931101', f)] for f in xyz])

def _write_official_ckpt(p):
    from skellit.methods.mamp import MAMP, get_config
    sd = {k[len('encoder.'):] if k.startswith('encoder.') else k: v for k, v in MAMP(get_config('paper-ntu60')).state_dict().items()}
    p.parent.mkdir(parents=True, exist_ok=True)
    torch.save({'model': sd, 'epoch': 399}, p)      # the official checkpoint-399.pth layout, official key names

DATA = {'/data/NTU60_XSub.npz': _write_npz, '/data/aimclr/xsub': _write_aimclr, '/data/ntu60_3danno.pkl': _write_pyskl,
        '/data/NW-UCLA/all_sqe': _write_nwucla, '/data/PKU-MMD': _write_pkummd, '/data/nturgb+d_skeletons': _write_ntu_raw,
        '/data/checkpoints/mamp_ntu60_xsub_checkpoint-399.pth': _write_official_ckpt}


def _data_paths() -> set:
    return set(re.findall(r"/data/[\w+./-]*\w", README))


@pytest.fixture(scope='module')
def work(tmp_path_factory):
    "The working directory every README command runs in: nbs/ of this checkout, and the /data/ files."
    w = tmp_path_factory.mktemp('readme')
    (w / 'nbs').symlink_to(ROOT / 'nbs')
    used = {p for p in _data_paths() if any(p == k or p.startswith(k + '/') for k in DATA)}
    for key, write in DATA.items():
        if any(p == key or p.startswith(key + '/') for p in used):
            dst = w / key.lstrip('/')
            if not dst.suffix: dst.mkdir(parents=True, exist_ok=True)
            else: dst.parent.mkdir(parents=True, exist_ok=True)
            write(dst)
    return w


def _env(work):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]).rstrip(os.pathsep),
               SKELLIT_DATA=str(work / 'cache'), MPLBACKEND='Agg', PYTHONUNBUFFERED='1')
    env.pop('IN_TEST', None)                        # the commands must be smoke-sized by their own arguments
    return env


def _subst(tok: str, work: Path) -> str:
    return str(work) + tok if tok.startswith('/data/') else tok


def smoke_argv(cmd: list, work: Path):
    "The argv that runs a README command at smoke size, or None for the two commands CI itself runs."
    prog, args = cmd[0], [_subst(t, work) for t in cmd[1:]]
    if prog in ('pip', 'bash'): return None
    if prog == 'python' and args[:1] == ['tools/build_docs.py']:
        assert "'tools' / 'build_docs.py'" in (ROOT / 'tests' / 'test_docs.py').read_text(), "the docs build is tested"
        return None
    if prog == 'papermill':
        if not torch.cuda.is_available(): args = ['cpu' if a == 'cuda' else a for a in args]
        args = ['0' if j and args[j - 1] == 'seeds' else a for j, a in enumerate(args)]   # the comparison: one seed
        return [sys.executable, '-m', 'papermill', *args, '-p', 'smoke', 'True']
    if prog == 'torchrun':
        i = args.index('-m')
        launcher = [a for j, a in enumerate(args[:i]) if not (j and args[j - 1] == '--nproc_per_node')]   # its value
        launcher = [a if not a.startswith('--nproc') else '--nproc_per_node=1' for a in launcher]
        assert args[i + 1] == 'skellit.cli', cmd
        return [sys.executable, '-m', 'torch.distributed.run', *launcher, '-m', 'skellit.cli', *args[i + 2:], '--smoke']
    if prog in PYPROJECT['project']['scripts']:
        if '--workers' in args: args[args.index('--workers') + 1] = '1'
        if args[:1] == ['train'] and '--help-config' not in args: args = args + ['--smoke']
        return _script(prog) + args
    raise AssertionError(f"the README shows `{' '.join(cmd)}`, which this test does not know how to run")


def test_readme_shows_the_three_front_door_commands():
    heads = [' '.join(c[:3]) for c in COMMANDS]
    assert sum(c[:2] == ['pip', 'install'] and 'torch==2.13.0' in c for c in COMMANDS) == 1, "one install command"
    assert 'papermill nbs/run_mamp.ipynb out.ipynb' in heads, "the main job on the built-in default data"
    assert ['bash', '.ci/run'] in COMMANDS, "the test command"


def test_install_line_matches_pyproject_and_uses_the_cpu_index():
    pins = [d for d in PYPROJECT['project']['dependencies'] if d.startswith('torch')]
    pip = [c for c in COMMANDS if c[:2] == ['pip', 'install']]
    torch_cmd = next(c for c in pip if any(t.startswith('torch') for t in c))
    assert pins and pins[0] in torch_cmd, (pins, torch_cmd)
    assert torch_cmd[torch_cmd.index('--index-url') + 1] == 'https://download.pytorch.org/whl/cpu'
    extras = [t for c in pip for t in c if t.startswith('.[')]
    assert extras and all(e[2:-1] in PYPROJECT['project']['optional-dependencies'] for e in extras), extras
    assert 'whl/cu' in README, "the README tells GPU users which index gives the CUDA build"
    assert (ROOT / '.ci' / 'run').exists()


def test_every_data_path_has_a_fixture():
    unknown = [p for p in _data_paths() if not any(p == k or p.startswith(k + '/') for k in DATA)]
    assert not unknown, f"README paths without a test file: {unknown}; add a writer to DATA"


def test_console_scripts_point_to_functions():
    assert not [n for n in PYPROJECT['project']['scripts'] if _entry_broken(n)]


@pytest.mark.parametrize('cmd', COMMANDS, ids=lambda c: ' '.join(c)[:70])
def test_readme_command_runs(cmd, work):
    argv = smoke_argv(cmd, work)
    if argv is None: return                         # pip install / bash .ci/run: checked above, run by CI itself
    r = subprocess.run(argv, cwd=work, env=_env(work), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"`{' '.join(cmd)}` failed:\n{r.stdout[-2000:]}\n{r.stderr[:3000]}\n...\n{r.stderr[-3000:]}"
    if cmd[:2] == ['skellit', 'list']: assert 'paper-ntu60' in r.stdout and 'demo' in r.stdout
    if cmd[:2] == ['skellit', 'export']:
        out = work / cmd[cmd.index('--checkpoint') + 1] / 'encoder.onnx'
        assert out.stat().st_size > 1000 and 'onnxruntime vs PyTorch' in r.stdout, r.stdout
    if cmd[:2] == ['papermill', 'nbs/compare.ipynb']: assert list(work.glob('runs/compare/*.csv')), r.stdout[-2000:]
    if cmd[:2] == ['skellit', 'eval']: assert (work / cmd[cmd.index('--run') + 1] / 'eval.json').exists()
    if '--help-config' in cmd: assert 'warmup_epochs' in r.stdout and 'mask_ratio' in r.stdout
    if cmd[0] == 'papermill' and Path(cmd[1]).name.startswith('run_'):   # a runner's terminal: configuration, progress, table
        log = r.stdout + r.stderr
        for s in ('method / preset', 'fit:', 'features:', '| protocol (top-1 %) |', 'raw coordinates'): assert s in log, s


def _smoke_python(src: str, work: Path) -> str:
    src = src.replace("'/data/", f"'{work}/data/")
    return re.sub(r"load_dataset\('synthetic'\)", "load_dataset('synthetic', n=60, t_range=(20, 30))", src)


@pytest.mark.parametrize('i', range(len(PY_BLOCKS)), ids=lambda i: f'python-block-{i}')
def test_readme_python_block_runs(i, work):
    code = _smoke_python(PY_BLOCKS[i], work)
    r = subprocess.run([sys.executable, '-c', code], cwd=work, env=_env(work), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"README python block {i} failed:\n{PY_BLOCKS[i]}\n{r.stderr[-4000:]}"


# -- the methods table ------------------------------------------------------------------------------------------
def _methods_table() -> list:
    "(method name, presets, status) of every row of the README's '## Methods' table."
    sec = README.split('\n## Methods', 1)[1].split('\n## ', 1)[0]
    lines = [l for l in sec.splitlines() if l.startswith('|')]
    head = [c.strip() for c in lines[0].strip('|').split('|')]
    out = []
    for l in lines[2:]:
        row = dict(zip(head, (c.strip() for c in l.strip('|').split('|'))))
        out.append((row['`--method`'].strip('`'), re.findall(r'`([\w-]+)`', row['presets']), row['status']))
    return out


def _skellit_list() -> set:
    r = subprocess.run(_script('skellit') + ['list'], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert r.returncode == 0, r.stderr
    return {tuple(l.split()[:2]) for l in r.stdout.splitlines() if l.strip()}


def test_methods_table_agrees_with_skellit_list():
    table, listed = _methods_table(), _skellit_list()
    assert table and {s for _, _, s in table} <= {'in this release', 'coming'}, table
    shown = {(m, p) for m, ps, s in table if s == 'in this release' for p in ps}
    registered = {(m, p) for m, p in listed if m != 'toy'}
    assert not registered - shown, f"registered but not in the README's methods table as 'in this release': {sorted(registered - shown)}"
    assert not shown - registered, f"in the README's methods table but not registered (skellit list): {sorted(shown - registered)}"
    now = {m for m, _ in registered}
    early = [m for m, _, s in table if s == 'coming' and m in now]
    assert not early, f"{early} are registered now: list them in the README as 'in this release' with their presets"
