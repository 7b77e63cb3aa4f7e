"""MAMP trains step by step as the official training loop does.

The six losses below were computed once, outside this repository, by the official MAMP code
(`model_mamp/transformer.py`, class `Transformer`; `engine_pretrain.py` with `util/lr_sched.py`'s per-iteration
schedule; timm 0.3.2's `add_weight_decay` parameter groups; `AdamW(betas=(0.9, 0.95))`), started from the weights of
`MAMP(cfg)` below (`torch.manual_seed(0)`), on the batches below, with the mask noise that `fit` draws (its generator
seeded with `TrainConfig.seed`) handed to the official `torch.rand` call. Only the numbers are kept here, no code.

After these six steps every weight of the two models agrees to better than 1e-5 except the key part of the attention's qkv bias
(up to 5e-4): that bias shifts every attention logit of a query by the same amount, so softmax removes it and its
true gradient is zero; the two implementations' round-off in that zero gradient differs and AdamW's normalised step
turns round-off into lr-sized moves. It has no effect on any output, which is why the losses agree exactly."""
import numpy as np
import torch
from skellit.data import SkeletonData, make_loader
from skellit.methods.mamp import MAMP, MAMPConfig
from skellit.train.engine import TrainConfig, fit, read_log

OFFICIAL_LOSSES = [3.008229970932007, 2.97348690032959, 2.501763105392456, 1.7528854608535767, 1.17619788646698,
                   1.0639811754226685]


def test_mamp_fit_matches_the_official_loop_step_by_step(tmp_path):
    cfg = MAMPConfig(dim=32, depth=2, decoder_dim=32, decoder_depth=1, heads=2, num_frames=16, min_len=8, tau=0.8, mask_ratio=0.9)
    N, B = 24, 8
    g = torch.Generator().manual_seed(1)
    x = (torch.randn(N, 3, 16, 25, 2, generator=g) * 0.05).cumsum(2)
    x[1::2, ..., 1] = 0                                              # odd samples: one person
    data = SkeletonData(x.numpy(), np.full(N, 16), np.zeros(N, dtype=np.int64), ['a'])
    torch.manual_seed(0)
    model = MAMP(cfg)
    tc = TrainConfig(epochs=2, lr=1e-3, min_lr=0., warmup_epochs=1, weight_decay=0.05, betas=(0.9, 0.95), log_every=1,
                     seed=0, progress=False)
    n = torch.get_num_threads(); torch.set_num_threads(1)
    try: fit(model, make_loader(data, B, shuffle=False), tc, out_dir=tmp_path)
    finally: torch.set_num_threads(n)
    losses = [r['loss'] for r in read_log(tmp_path) if r['kind'] == 'step']
    assert len(losses) == len(OFFICIAL_LOSSES)
    np.testing.assert_allclose(losses, OFFICIAL_LOSSES, rtol=1e-5, atol=1e-5)
