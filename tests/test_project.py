"Project-level checks: packaging, notebook hygiene that nbdev itself does not enforce, papermill runners."
import json, tomllib, importlib
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))


def _cells(nb): return json.loads(nb.read_text())['cells']


def test_pyproject_keeps_papermill_tags_and_pins_torch():
    cfg = tomllib.loads((ROOT / 'pyproject.toml').read_text())
    assert 'tags' in cfg['tool']['nbdev']['allowed_cell_metadata_keys'], "nbdev-clean would strip papermill's tag"
    assert 'torch==2.13.0' in cfg['project']['dependencies'], "torch must stay pinned (CPU CI must not pull CUDA)"
    assert not (ROOT / 'settings.ini').exists(), "nbdev 3 refuses settings.ini"


@pytest.mark.parametrize('nb', [p for p in NBS if p.name.startswith('run_')], ids=lambda p: p.name)
def test_runner_has_exactly_one_parameters_cell(nb):
    tagged = [c for c in _cells(nb) if 'parameters' in c.get('metadata', {}).get('tags', [])]
    assert len(tagged) == 1, f"{nb.name}: {len(tagged)} cells tagged 'parameters' (papermill needs exactly one)"
    src = ''.join(tagged[0]['source'])
    for line in src.splitlines():   # only literal assignments: papermill parameters must be overridable
        s = line.split('#')[0].strip()
        assert not s or '=' in s, f"{nb.name}: parameters cell line is not an assignment: {line!r}"


def test_runners_exist():
    names = {p.name for p in NBS}
    assert 'run_mamp.ipynb' in names


@pytest.mark.parametrize('nb', [p for p in NBS if not p.name.startswith(('run_', 'compare')) and p.name != 'index.ipynb'],
                         ids=lambda p: p.name)
def test_component_notebook_exports_a_module_that_imports(nb):
    src = [''.join(c['source']) for c in _cells(nb) if c['cell_type'] == 'code']
    exp = [l.split()[-1] for s in src for l in s.splitlines() if l.startswith('#| default_exp')]
    assert len(exp) == 1, f"{nb.name}: needs exactly one '#| default_exp'"
    mod = importlib.import_module('skellit.' + exp[0])
    assert mod.__doc__, f"skellit.{exp[0]} has no module docstring (title cell '> summary')"


def test_notebooks_committed_without_outputs():
    for nb in NBS:
        for c in _cells(nb):
            if c['cell_type'] == 'code':
                assert not c.get('outputs'), f"{nb.name}: commit notebooks without outputs (keeps the repo small)"
