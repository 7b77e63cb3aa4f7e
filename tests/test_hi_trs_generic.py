"""Hi-TRS through the generic experiment driver at smoke size: the registered recipe builds the model for the data, the
engine pretrains it on ordinary multi-person samples (the body split happens inside the pretext's forward) and the
protocols score the encoder — for the NTU layout and for NW-UCLA's 20 joints with one person."""
import json
import pytest
import skellit.methods.hi_trs  # registers 'hi_trs' (the driver imports the other methods itself)
from skellit.experiment import pretrain_and_compare


@pytest.mark.parametrize('data,protocols,baselines', [('synthetic', 'knn,linear', ('random_init',)),
                                                      ('synthetic-nwucla20', 'knn', ())])
def test_hi_trs_smoke_through_the_driver(tmp_path, data, protocols, baselines):
    exp = pretrain_and_compare('hi_trs', 'demo', data, protocols=protocols, baselines=baselines, smoke=True,
                               out_dir=tmp_path, progress=False)
    m = json.loads((tmp_path / 'metrics.json').read_text())
    assert m['pretrain']['loss_first'] > 0 and exp.history[-1]['sequences'] >= 1
    assert exp.model.encoder.num_joints == (20 if 'nwucla' in data else 25)
    for p in protocols.split(','):
        assert 0 <= m['results'][p]['pretrained']['top1'] <= 100
