"""SkeletonCLR / AimCLR / MsMCLR through the experiment driver at smoke size: on the synthetic default data, and on an
NW-UCLA-format folder (20 joints, one person) read back by path, where the graph and the part / body groupings come
from the data's layout."""
import json
import pytest
import skellit.methods.msmclr          # registers skeletonclr / aimclr / msmclr (skellit.experiment imports the others)
from skellit.experiment import pretrain_and_compare


@pytest.mark.parametrize('method', ['skeletonclr', 'aimclr', 'msmclr'])
def test_smoke_run_on_synthetic(tmp_path, method):
    exp = pretrain_and_compare(method, 'demo', 'synthetic', protocols='knn,linear', out_dir=tmp_path, smoke=True, progress=False)
    m = json.loads((tmp_path / 'metrics.json').read_text())
    assert set(m['results']) == {'knn', 'linear', 'supervised'} and set(m['results']['linear']) == {'pretrained', 'random_init', 'raw'}
    assert json.loads((tmp_path / 'recipe.json').read_text())['model']['hidden_channels'] == 4     # the smoke recipe ran
    assert exp.model.encoder.A.shape == (3, 25, 25) and exp.test_batch(2)[0].shape == (2, 3, 16, 25, 2)
    parts = {'skeletonclr': set(), 'aimclr': {'d3m_plain', 'd3m_eadm'}, 'msmclr': {'d3m_joint', 'd3m_part', 'd3m_body'}}[method]
    assert parts <= set(exp.history[-1])


def test_smoke_run_on_nwucla_folder(tmp_path):
    from skellit.io.synthetic import make_synthetic
    from skellit.io.formats import write_nwucla
    d = make_synthetic(n=60, layout='nwucla20', seed=1, t_range=(20, 40), classes=list(range(10)))
    d.meta['view'] = (d.meta['camera'] - 1) % 3 + 1
    write_nwucla(tmp_path / 'ucla', d)
    exp = pretrain_and_compare('msmclr', 'demo', tmp_path / 'ucla' / 'all_sqe', 'nwucla', protocols='knn,linear',
                               out_dir=tmp_path / 'run', smoke=True, progress=False, overrides={'stream': 'bone'})
    assert (exp.spec.num_joints, exp.spec.num_persons, exp.spec.layout) == (20, 1, 'nwucla20')
    m = exp.model
    assert m.encoder.A.shape == (3, 20, 20) and m.G_part.shape == (20, 10) and m.G_body.shape == (20, 5)
    assert m.encoder.stream == 'bone' and m.train_transform.transforms[0].joint == 2          # shoulder-center joint
    assert set(exp.metrics['results']['linear']) == {'pretrained', 'random_init', 'raw'}
