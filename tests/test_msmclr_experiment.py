"""SkeletonCLR and AimCLR through the experiment driver at smoke size on the synthetic default data, with the loss parts
of each method (MsMCLR, all three streams fused and an NW-UCLA folder run through the runner: tests/test_runner_msmclr.py)."""
import json
import pytest
import skellit.methods.msmclr          # registers skeletonclr / aimclr / msmclr (skellit.experiment imports the others)
from skellit.experiment import pretrain_and_compare


@pytest.mark.parametrize('method', ['skeletonclr', 'aimclr'])
def test_smoke_run_on_synthetic(tmp_path, method):
    exp = pretrain_and_compare(method, 'demo', 'synthetic', protocols='knn,linear', out_dir=tmp_path, smoke=True, progress=False)
    m = json.loads((tmp_path / 'metrics.json').read_text())
    assert set(m['results']) == {'knn', 'linear', 'supervised'} and set(m['results']['linear']) == {'pretrained', 'random_init', 'raw'}
    assert json.loads((tmp_path / 'recipe.json').read_text())['model']['hidden_channels'] == 4     # the smoke recipe ran
    assert exp.model.encoder.A.shape == (3, 25, 25) and exp.test_batch(2)[0].shape == (2, 3, 16, 25, 2)
    parts = {'skeletonclr': set(), 'aimclr': {'d3m_plain', 'd3m_eadm'}, 'msmclr': {'d3m_joint', 'd3m_part', 'd3m_body'}}[method]
    assert parts <= set(exp.history[-1])

