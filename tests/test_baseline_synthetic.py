"""Issue 3's end-to-end check: on the synthetic default (CPU), the supervised baseline trains through `fit` and is
evaluated by linear probe, kNN and fine-tune — the same generic path every method's encoder goes through."""
import numpy as np, torch
from skellit.io.synthetic import make_synthetic
from skellit.io.splits import split_dataset
from skellit.data import make_loader
from skellit.interface import Supervised
from skellit.methods.supervised import BaselineEncoder
from skellit.train.engine import TrainConfig, fit
from skellit.train.evaluate import linear_probe, knn_monitor, finetune
from skellit.ops.transforms import Compose, RandomCropResize, RandomRotation


def test_supervised_baseline_trains_and_all_protocols_score_it(tmp_path):
    torch.manual_seed(0)
    data = make_synthetic(n=360, seed=0, t_range=(30, 80))
    train, test = split_dataset(data, 'synthetic-xsub')
    chance = 100. / data.num_classes
    train_tf = Compose([RandomCropResize((0.5, 1.0), size=24, min_len=16), RandomRotation(0.3)])
    test_tf = RandomCropResize(0.95, size=24)

    model = Supervised(BaselineEncoder(num_joints=25, dim=32, depth=1, heads=4, max_len=24), data.num_classes)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    hist = fit(model, make_loader(train, 32, shuffle=True, seed=0, drop_last=True),
               TrainConfig(epochs=8, lr=2e-3, weight_decay=0.05, warmup_epochs=1, seed=0, progress=False),
               transform=train_tf, out_dir=tmp_path)
    assert hist[-1]['loss'] < hist[0]['loss'], "training loss did not fall"
    assert any(not torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert (tmp_path / 'checkpoint-last.pt').exists() and (tmp_path / 'log.jsonl').exists()

    enc = model.encoder
    frozen = {k: v.clone() for k, v in enc.state_dict().items()}
    lin = linear_probe(enc, train, test, head='bn_linear', epochs=10, batch_size=64, train_transform=test_tf,
                       test_transform=test_tf, seed=0)
    knn = knn_monitor(enc, train, test, k=10, transform=test_tf)
    for k, v in enc.state_dict().items():   # the probes never touch the encoder
        assert torch.equal(frozen[k], v), k
    ft = finetune(enc, train, test, epochs=5, batch_size=32, lr=1e-3, warmup_epochs=0,
                  train_transform=train_tf, test_transform=test_tf, seed=0)
    for r in (lin, knn, ft):
        assert r.top1 > 2 * chance, (r.top1, chance)
        assert r.confusion.shape == (data.num_classes, data.num_classes)
