#!/usr/bin/env python
"""skellit speed benchmark (plain script; not run by CI).

Prints, for a registered method (`skellit.train.registry`) and a batch size:
  * training throughput (samples/s) of the model's full optimiser step on a fixed, pre-transformed batch;
  * peak memory (CUDA `max_memory_allocated`, or the process's peak RSS on CPU);
  * model FLOPs per training sample (forward + backward, `torch.utils.flop_counter.FlopCounterMode`) and the
    model-FLOP utilisation MFU = FLOPs/sample x samples/s / (dense-matmul FLOP/s measured here, in this run);
  * data-pipeline throughput (samples/s): per-sample transforms inside DataLoader workers vs the same transform
    applied batched on the device after collation.

Usage: python benchmarks/bench.py --model supervised --batch-size 32 --device cuda --steps 20
Reusable: from benchmarks.bench import measure_matmul_flops, bench_training, bench_data_pipeline
"""
from __future__ import annotations
import argparse, importlib, inspect, json, math, resource, sys, time
from pathlib import Path
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))


def _sync(device):
    if torch.device(device).type == 'cuda': torch.cuda.synchronize(device)


def measure_matmul_flops(device='cpu', n: int | None = None, dtype=torch.float32, iters: int | None = None,
                         warmup: int = 2) -> float:
    "Dense-matmul FLOP/s of this machine: time `iters` products of two n x n matrices (2 n^3 FLOPs each)."
    dev = torch.device(device)
    n = n or (8192 if dev.type == 'cuda' else 1024)
    iters = iters or (20 if dev.type == 'cuda' else 5)
    a = torch.randn(n, n, device=dev, dtype=dtype); b = torch.randn(n, n, device=dev, dtype=dtype)
    for _ in range(warmup): a @ b
    _sync(dev); t0 = time.perf_counter()
    for _ in range(iters): c = a @ b
    _sync(dev)
    return 2 * n ** 3 * iters / (time.perf_counter() - t0)


def peak_memory_bytes(device) -> int:
    "CUDA max_memory_allocated on a GPU; on CPU the process's peak resident set size (ru_maxrss, includes torch itself)."
    if torch.device(device).type == 'cuda': return torch.cuda.max_memory_allocated(device)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024     # Linux reports KiB


def count_flops(fn) -> int:
    "Total FLOPs of everything `fn()` runs (forward and backward), counted by FlopCounterMode."
    from torch.utils.flop_counter import FlopCounterMode
    from torch.nn.attention import sdpa_kernel, SDPBackend
    # FlopCounterMode has no formula for the fused CPU attention kernel, so fused SDPA would count as 0 FLOPs;
    # counting with the math backend sees its matmuls (the model FLOPs are the same whichever kernel runs them).
    with sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as fc: fn()
    return fc.get_total_flops()


@dataclass
class BenchRun:
    "What the benchmark needs of a registered method: its model, a loader, its recipe's TrainConfig and transform."
    model: nn.Module
    train_loader: object
    cfg: object
    transform: object = None
    get_layer_id: object = None


def build(model: str = 'supervised', preset: str = 'demo', batch_size: int | None = None, frames: int = 64, **overrides) -> BenchRun:
    "A registered method's pretext built for toy NTU-layout data of `frames` frames, with its recipe and train transform."
    import skellit.experiment  # noqa: F401  (registers every method)
    from skellit.train.registry import get_recipe, build_pretext, get_method
    from skellit.data import DataSpec, toy_data, make_loader
    recipe = get_recipe(model, preset, **overrides)
    bs = batch_size or recipe.batch_size
    data = toy_data(n=max(bs, 8), T=frames, V=25, num_classes=4)
    m = build_pretext(recipe, DataSpec.of(data))
    return BenchRun(m, make_loader(data, bs, shuffle=True), recipe.pretrain, getattr(m, 'train_transform', None))


def _batch_of(run, batch_size: int, device, frames: int | None = None, seed: int = 0) -> dict:
    "A training batch of `batch_size` samples: one loader batch tiled to size, moved to device and transformed once."
    b = next(iter(run.train_loader))
    idx = torch.arange(batch_size) % b['x'].shape[0]
    b = {k: v[idx] for k, v in b.items()}
    if frames is not None:                                  # tile along time to a fixed length
        T = b['x'].shape[2]
        b['x'] = b['x'][:, :, torch.arange(frames) % T].contiguous(); b['length'] = torch.full_like(b['length'], frames)
    b = {k: v.to(device) for k, v in b.items()}
    if run.transform is not None:
        g = torch.Generator(device=device).manual_seed(seed)
        x, length = run.transform(b['x'], b['length'], g)
        b = {**b, 'x': x, 'length': length}
    return b


def bench_training(model: nn.Module, batch: dict, device='cpu', steps: int = 10, warmup: int = 3,
                   optimizer: torch.optim.Optimizer | None = None, amp: str = 'none',
                   matmul_flops: float | None = None) -> dict:
    """Time full training steps (forward, backward, optimiser step, after_step hook) of `model(batch) -> {'loss'}`.
    Returns samples/s, step time, peak memory, FLOPs per sample (fwd+bwd) and MFU against `matmul_flops`
    (measured here with the matching dtype when not given)."""
    dev = torch.device(device)
    model.to(dev).train()
    opt = optimizer or torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    use_amp = amp != 'none' and dev.type == 'cuda'
    dt = torch.bfloat16 if amp == 'bf16' else torch.float16
    after = getattr(model, 'after_step', None)
    B = batch['x'].shape[0]

    def fwd_bwd():
        with torch.autocast(dev.type, dtype=dt, enabled=use_amp):
            loss = model(batch)['loss']
        loss.backward()

    def step():
        fwd_bwd(); opt.step(); opt.zero_grad(set_to_none=True)
        if after is not None: after()

    flops = count_flops(fwd_bwd); opt.zero_grad(set_to_none=True)
    for _ in range(warmup): step()
    _sync(dev)
    if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats(dev)
    t0 = time.perf_counter()
    for _ in range(steps): step()
    _sync(dev)
    sec = (time.perf_counter() - t0) / steps
    if matmul_flops is None: matmul_flops = measure_matmul_flops(dev, dtype=dt if use_amp else torch.float32)
    sps = B / sec
    return dict(batch_size=B, input_shape=list(batch['x'].shape), step_s=sec, samples_per_s=sps,
                peak_memory_MiB=peak_memory_bytes(dev) / 2 ** 20, flops_per_sample=flops / B,
                model_tflops=flops / B * sps / 1e12, matmul_tflops=matmul_flops / 1e12,
                mfu=flops / B * sps / matmul_flops, params_M=sum(p.numel() for p in model.parameters()) / 1e6)


def default_transform():
    "MAMP's training pipeline (crop p in [0.5, 1] >= 64 frames, resize 120, rotation 0.3) from skellit.ops.transforms."
    from skellit.ops.transforms import Compose, RandomCropResize, RandomRotation
    return Compose([RandomCropResize(p=(0.5, 1), size=120, min_len=64), RandomRotation(0.3)]), 'skellit.ops.transforms (MAMP train)'


class _PerSampleDataset(torch.utils.data.Dataset):
    "Applies a batched transform to one sample at a time inside the DataLoader worker (the official feeders' way)."
    def __init__(self, ds, transform, seed=0): self.ds, self.t, self.seed, self.g = ds, transform, seed, None
    def __len__(self): return len(self.ds)
    def __getitem__(self, i):
        if self.g is None:
            info = torch.utils.data.get_worker_info()
            self.g = torch.Generator().manual_seed(self.seed + (info.id if info else 0))
        it = self.ds[i]
        x, length = self.t(it['x'][None], it['length'][None], self.g)
        return {**it, 'x': x[0], 'length': length[0]}


def bench_data_pipeline(data=None, transform=None, batch_size: int = 64, device='cpu', workers: int = 0,
                        batches: int = 20, samples: int = 512, frames: int = 300) -> dict:
    "Samples/s of per-sample transforms in DataLoader workers vs batched transforms on `device` after collation."
    from skellit.data import SkeletonDataset, make_loader, toy_data, collate_skeletons
    from functools import partial
    data = data if data is not None else toy_data(n=samples, T=frames, min_len=max(64, frames // 3))
    transform = transform or default_transform()[0]
    dev = torch.device(device)
    ds = SkeletonDataset(data)
    res = {}
    # (a) per-sample, in the loader (CPU, workers), then copy to device
    dl = torch.utils.data.DataLoader(_PerSampleDataset(ds, transform), batch_size=batch_size, shuffle=True,
                                     num_workers=workers, collate_fn=partial(collate_skeletons, crop_to_max=False),
                                     generator=torch.Generator().manual_seed(0))
    res['per_sample_loader'] = _time_loader(dl, batches, dev, None)
    # (b) plain loader, transform batched on device
    g = torch.Generator(device=dev).manual_seed(0)
    res['batched_on_device'] = _time_loader(make_loader(data, batch_size, shuffle=True, num_workers=workers), batches, dev,
                                            lambda x, l: transform(x, l, g))
    return res


def _time_loader(dl, batches, dev, transform):
    n, it = 0, iter(dl)
    next(it)                                               # warm-up (worker start, first allocation)
    _sync(dev); t0 = time.perf_counter()
    for _ in range(batches):
        try: b = next(it)
        except StopIteration: it = iter(dl); b = next(it)
        x, length = b['x'].to(dev, non_blocking=True), b['length'].to(dev)
        if transform is not None: x, length = transform(x, length)
        n += x.shape[0]
    _sync(dev)
    return n / (time.perf_counter() - t0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', default='supervised', help="registered method name (`skellit list`), e.g. supervised, mamp")
    ap.add_argument('--preset', default='demo', help="the method's preset")
    ap.add_argument('--batch-size', type=int, default=32)
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--steps', type=int, default=10, help='timed training steps (after --warmup)')
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--threads', type=int, default=None, help='torch.set_num_threads (CPU)')
    ap.add_argument('--frames', type=int, default=None, help='tile the input to this many frames before the transform (the model must accept that length; the demo baseline is built for its toy data)')
    ap.add_argument('--amp', default='none', choices=['none', 'bf16', 'fp16'], help='autocast on CUDA (matmul reference uses the same dtype)')
    ap.add_argument('--workers', type=int, default=0, help='DataLoader workers in the data-pipeline benchmark')
    ap.add_argument('--data-batches', type=int, default=20)
    ap.add_argument('--data-samples', type=int, default=512)
    ap.add_argument('--data-frames', type=int, default=300)
    ap.add_argument('--skip-train', action='store_true'); ap.add_argument('--skip-data', action='store_true')
    ap.add_argument('--json', default=None, help='also write the results to this JSON file')
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    out = dict(model=a.model, preset=a.preset, device=str(dev), threads=torch.get_num_threads(), torch=torch.__version__,
               gpu=torch.cuda.get_device_name(dev) if dev.type == 'cuda' else None)
    dt = {'bf16': torch.bfloat16, 'fp16': torch.float16}.get(a.amp, torch.float32) if dev.type == 'cuda' else torch.float32
    out['matmul_tflops'] = measure_matmul_flops(dev, dtype=dt) / 1e12
    print(f"dense matmul ({str(dt).split('.')[-1]}): {out['matmul_tflops']:.2f} TFLOP/s on {out['gpu'] or 'CPU'} "
          f"({out['threads']} threads)")
    if not a.skip_train:
        run = build(a.model, a.preset, a.batch_size)
        torch.manual_seed(0)
        batch = _batch_of(run, a.batch_size, dev, a.frames)
        opt = None
        try:
            from skellit.train.engine import make_optimizer
            run.model.to(dev); opt = make_optimizer(run.model, run.cfg, run.get_layer_id)
        except Exception as e: print(f"(engine optimiser unavailable: {e}; using AdamW)")
        r = bench_training(run.model, batch, dev, a.steps, a.warmup, opt, a.amp, out['matmul_tflops'] * 1e12)
        out['train'] = r
        print(f"train  {a.model}/{a.preset}: input {r['input_shape']}, {r['params_M']:.2f} M params")
        print(f"  {r['samples_per_s']:.1f} samples/s ({r['step_s'] * 1e3:.1f} ms/step), peak memory {r['peak_memory_MiB']:.0f} MiB")
        print(f"  {r['flops_per_sample'] / 1e9:.3f} GFLOP/sample (fwd+bwd) -> {r['model_tflops']:.3f} TFLOP/s, MFU {100 * r['mfu']:.1f} %")
    if not a.skip_data:
        t, tname = default_transform()
        r = bench_data_pipeline(transform=t, batch_size=a.batch_size, device=dev, workers=a.workers,
                                batches=a.data_batches, samples=a.data_samples, frames=a.data_frames)
        out['data'] = dict(r, transform=tname, workers=a.workers)
        print(f"data   {tname}, T={a.data_frames}, batch {a.batch_size}, {a.workers} workers:")
        print(f"  per-sample in DataLoader: {r['per_sample_loader']:.0f} samples/s; batched on {dev.type}: "
              f"{r['batched_on_device']:.0f} samples/s ({r['batched_on_device'] / r['per_sample_loader']:.1f}x)")
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True); Path(a.json).write_text(json.dumps(out, indent=1))
    return out


if __name__ == '__main__':
    main()
