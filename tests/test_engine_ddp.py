"DDP (gloo, 2 CPU processes) gives the same weights as one process at the same global batch."
import os, socket, tempfile
from pathlib import Path
import torch
import torch.multiprocessing as mp

def _model():
    from skellit.interface import Supervised
    from skellit.methods.supervised import BaselineEncoder
    torch.manual_seed(0)
    return Supervised(BaselineEncoder(dim=16, depth=1, heads=2, max_len=16, dropout=0.), num_classes=4)

def _train(batch_size, out_dir):
    from skellit.data import toy_data, make_loader
    from skellit.train.engine import fit, TrainConfig
    m = _model()
    dl = make_loader(toy_data(n=16, T=12), batch_size=batch_size, shuffle=True, seed=0, drop_last=True)
    cfg = TrainConfig(epochs=2, optimizer='sgd', lr=0.05, weight_decay=1e-4, warmup_epochs=0.5, clip_grad=1.0,
                      progress=False, log_every=1)
    fit(m, dl, cfg, out_dir=out_dir)
    return m

def _worker(rank, world, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    try: _train(4 // world, out_dir)
    finally:
        import torch.distributed as dist
        if dist.is_initialized(): dist.destroy_process_group()

def _spawn(fn, args, nprocs=2, timeout=90):
    "mp.spawn with a deadline: a hung collective fails the test instead of blocking CI."
    import time
    ctx = mp.spawn(fn, args=args, nprocs=nprocs, join=False)
    end = time.time() + timeout
    while not ctx.join(timeout=1):
        if time.time() > end:
            for p in ctx.processes:
                if p.is_alive(): p.kill()
            raise AssertionError(f"DDP workers did not finish within {timeout} s (deadlock?)")

def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def test_ddp_matches_single_process():
    tmp = Path(tempfile.mkdtemp())
    single = _train(4, tmp / 'single')
    _spawn(_worker, (2, _free_port(), str(tmp / 'ddp')))
    from skellit.train.engine import load_checkpoint, read_log
    ck = load_checkpoint(tmp / 'ddp' / 'checkpoint-last.pt')
    assert ck['world_size'] == 2 and ck['state']['step'] == 8
    for k, v in single.state_dict().items():
        assert torch.allclose(v, ck['model'][k], atol=1e-5), k
    # rank 0 alone writes the log: one record per step plus one per epoch
    recs = read_log(tmp / 'ddp')
    assert sum(r['kind'] == 'step' for r in recs) == 8 and sum(r['kind'] == 'epoch' for r in recs) == 2


def _moco_model():
    from skellit.methods.moco import MoCo
    from skellit.methods.supervised import BaselineEncoder
    torch.manual_seed(0)
    return MoCo(BaselineEncoder(dim=16, depth=1, heads=2, max_len=16, dropout=0.), dim=8, queue_size=16, momentum=0.9)

def _train_moco(batch_size, out_dir, rank=0):
    "MoCo (queue 16, batch 4 globally) on a small transformer without BatchNorm, no augmentation: 8 steps, the queue wraps."
    from skellit.data import toy_data, make_loader
    from skellit.train.engine import fit, TrainConfig
    m = _moco_model()
    dl = make_loader(toy_data(n=16, T=12), batch_size=batch_size, shuffle=True, seed=0, drop_last=True)
    fit(m, dl, TrainConfig(epochs=2, optimizer='sgd', lr=0.5, weight_decay=1e-4, progress=False, log_every=1), out_dir=out_dir)
    torch.save({'queue': m.queue, 'ptr': m.queue_ptr}, Path(out_dir) / f'queue{rank}.pt')
    return m

def _worker_moco(rank, world, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    try: _train_moco(4 // world, out_dir, rank)
    finally:
        import torch.distributed as dist
        if dist.is_initialized(): dist.destroy_process_group()

def test_ddp_moco_matches_single_process():
    """MoCo under DDP: keys all-gathered into the queue, every rank keeps the same queue (no buffer broadcast), and the
    run equals the one-process run at the same global batch — weights exactly up to rounding, the queue up to the order
    of the keys inside each batch (rank 0 holds samples 0 and 2 of a global batch, rank 1 samples 1 and 3)."""
    from skellit.methods.moco import MoCo
    assert MoCo.ddp_broadcast_buffers is False
    tmp = Path(tempfile.mkdtemp())
    single = _train_moco(4, tmp / 'single')
    _spawn(_worker_moco, (2, _free_port(), str(tmp / 'ddp')))
    from skellit.train.engine import load_checkpoint
    ck = load_checkpoint(tmp / 'ddp' / 'checkpoint-last.pt')
    assert ck['world_size'] == 2 and ck['state']['step'] == 8
    q0, q1 = (torch.load(tmp / 'ddp' / f'queue{r}.pt') for r in (0, 1))
    assert torch.equal(q0['queue'], q1['queue']) and int(q0['ptr']) == int(q1['ptr']) == 0
    order = torch.tensor([0, 2, 1, 3])
    perm = (torch.arange(4)[:, None] * 4 + order[None]).flatten()       # single column 4k+j is DDP column 4k+order[j]
    assert torch.allclose(single.queue, q0['queue'][:, perm], atol=1e-5)
    assert not torch.allclose(single.queue, q0['queue'], atol=1e-3)       # the order differs, so the check can fail
    for k, v in single.state_dict().items():
        if k in ('queue', 'queue_ptr'): continue
        assert torch.allclose(v, ck['model'][k], atol=1e-5), k
    assert torch.allclose(single.queue, ck['model']['queue'][:, perm], atol=1e-5)
    init = _moco_model().state_dict()                                     # training moved both encoders
    assert not torch.allclose(init['encoder.embed.weight'], ck['model']['encoder.embed.weight'], atol=1e-3)
    assert not torch.allclose(init['encoder_k.embed.weight'], ck['model']['encoder_k.embed.weight'], atol=1e-4)


def _worker_resume(rank, world, port, out_dir, stop):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    from skellit.data import toy_data, make_loader
    from skellit.train.engine import fit, TrainConfig
    from skellit.interface import Supervised
    from skellit.methods.supervised import BaselineEncoder
    import torch.distributed as dist
    try:
        torch.manual_seed(0)
        m = Supervised(BaselineEncoder(dim=16, depth=1, heads=2, max_len=16, dropout=0.2), num_classes=4)
        dl = make_loader(toy_data(n=16, T=12), batch_size=2, shuffle=True, seed=0)
        noise = lambda x, l, g: (x + 0.01 * torch.randn(x.shape, generator=g), l)   # per-rank transform generator
        cfg = TrainConfig(epochs=2, lr=1e-2, progress=False)
        fit(m, dl, cfg, out_dir=out_dir, transform=noise, stop_after_steps=stop)
        if stop is not None: fit(m, dl, cfg, out_dir=out_dir, transform=noise, resume=True)
    finally:
        if dist.is_initialized(): dist.destroy_process_group()


def test_ddp_resume_is_exact():
    "A 2-process run interrupted mid-epoch and resumed equals the uninterrupted 2-process run (dropout + transform)."
    tmp = Path(tempfile.mkdtemp())
    _spawn(_worker_resume, (2, _free_port(), str(tmp / 'full'), None))
    _spawn(_worker_resume, (2, _free_port(), str(tmp / 'cut'), 3))
    from skellit.train.engine import load_checkpoint
    a, b = load_checkpoint(tmp / 'full' / 'checkpoint-last.pt'), load_checkpoint(tmp / 'cut' / 'checkpoint-last.pt')
    assert a['state'] == b['state'] == dict(epoch=2, batch=0, step=8)
    for k, v in a['model'].items(): assert torch.equal(v, b['model'][k]), k


def _worker_streams(rank, world, port, out_dir):
    "Each rank records the draws of its generator and of the global RNG inside forward; logs a rank-dependent part."
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    import json
    import torch.distributed as dist
    from skellit.data import toy_data, make_loader
    from skellit.train.engine import fit, TrainConfig
    from skellit.interface import Pretext
    from skellit.checks import ToyEncoder

    class Draws(Pretext):
        def __init__(self):
            super().__init__(ToyEncoder(dim=4)); self.seen = []
        def forward(self, b):
            g = b['generator']
            self.seen.append([torch.rand(1, generator=g, device=g.device).item(), torch.rand(1).item()])
            loss = self.encoder(b['x'], b['length']).pooled.square().mean()
            return {'loss': loss, 'rank': torch.tensor(float(rank))}
    try:
        torch.manual_seed(0)
        m = Draws()
        fit(m, make_loader(toy_data(n=8, T=8), batch_size=2, shuffle=True), TrainConfig(epochs=1, progress=False, log_every=1),
            out_dir=out_dir)
        Path(out_dir, f'draws{rank}.json').write_text(json.dumps(m.seen))
    finally:
        if dist.is_initialized(): dist.destroy_process_group()


def test_ddp_ranks_draw_their_own_streams_and_log_rank_means():
    import json
    tmp = Path(tempfile.mkdtemp()); tmp.mkdir(exist_ok=True)
    _spawn(_worker_streams, (2, _free_port(), str(tmp)))
    d0, d1 = (json.loads((tmp / f'draws{r}.json').read_text()) for r in (0, 1))
    assert len(d0) == len(d1) == 2
    for a, b in zip(d0, d1):
        assert a[0] != b[0] and a[1] != b[1], "two ranks drew the same masks / views: streams must differ per rank"
    from skellit.train.engine import read_log
    steps = [r for r in read_log(tmp) if r['kind'] == 'step']
    assert steps and all(abs(r['rank'] - 0.5) < 1e-6 for r in steps), "logged parts must be the mean over ranks"


def _worker_nonfinite(rank, world, port, out_dir):
    "Sample 3 (on rank 1's shard in step 1) is NaN: every rank must stop with NonFiniteError, none may hang."
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    import torch.distributed as dist
    from torch.utils.data import DataLoader, Dataset
    from skellit.train.engine import fit, TrainConfig, NonFiniteError

    class Items(Dataset):
        def __len__(self): return 8
        def __getitem__(self, i):
            x = torch.zeros(3, 6, 25, 2) + 0.1 * i
            if i == 3: x[0, 0, 0, 0] = float('nan')
            return dict(x=x, length=torch.tensor(6), label=torch.tensor(i % 4), index=torch.tensor(i))
    try:
        try:
            fit(_model(), DataLoader(Items(), batch_size=2), TrainConfig(epochs=1, progress=False), out_dir=out_dir)
            msg = 'no error'
        except NonFiniteError as e: msg = str(e)
        Path(out_dir, f'msg{rank}.txt').write_text(msg)
    finally:
        if dist.is_initialized(): dist.destroy_process_group()


def test_ddp_nonfinite_stops_every_rank():
    "The NaN guard's decision is agreed by all ranks: both raise, naming the samples of both shards, and nothing is saved."
    tmp = Path(tempfile.mkdtemp())
    _spawn(_worker_nonfinite, (2, _free_port(), str(tmp)))
    m0, m1 = (Path(tmp, f'msg{r}.txt').read_text() for r in (0, 1))
    for m in (m0, m1):
        assert 'non-finite loss at optimiser step 1' in m and 'sample 3' in m, m
        assert '[0, 2, 1, 3]' in m, m          # rank 0 holds samples 0 and 2, rank 1 samples 1 and 3
    assert not list(tmp.glob('checkpoint*'))
