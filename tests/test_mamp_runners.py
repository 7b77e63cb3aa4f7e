"Runner notebooks: exactly one papermill `parameters` cell with the documented names."
import json, re
from pathlib import Path
import pytest

NBS = Path(__file__).resolve().parent.parent / 'nbs'
COMMON = ['ratio', 'tau', 'preset', 'dataset', 'data_path', 'epochs', 'batch_size', 'lr', 'device', 'seed', 'out_dir',
          'protocols', 'resume', 'smoke']

@pytest.mark.parametrize('name,extra', [('run_mamp.ipynb', []), ('run_skeleton_mae.ipynb', ['frame_ratio', 'joint_ratio'])])
def test_parameters_cell(name, extra):
    nb = json.loads((NBS / name).read_text())
    cells = [c for c in nb['cells'] if 'parameters' in c.get('metadata', {}).get('tags', [])]
    assert len(cells) == 1, f"{name}: {len(cells)} parameters cells"
    src = ''.join(cells[0]['source'])
    names = set(re.findall(r'^(\w+)\s*=', src, re.M))
    missing = set(COMMON + extra) - names
    assert not missing, f"{name}: parameters cell lacks {sorted(missing)}"
