"""SkeletonCLR / AimCLR / MsMCLR pretraining benchmark: samples/s, peak memory, FLOPs and MFU at the paper config.

    python benchmarks/bench_msmclr.py --method msmclr --preset paper-ntu60 --batch-size 128 --steps 5 --device cpu

Uses `benchmarks/bench.py` (`bench_training`, `measure_matmul_flops`, `count_flops`). One step = the whole pretraining
step as the engine runs it: the model's input transform on the raw batch (centre on joint 21, resize to 50 frames,
per-frame yaw; `--no-input` leaves it out, as for data preprocessed offline), the three views drawn from the batch
(strong + two normal augmentations, batched on the device), the three encoder passes (normal query, strong query with
MsM, key; each converts its view to the stream), the losses, the backward, SGD (momentum 0.9, weight decay 1e-4 on
every parameter, the preset's recipe) and the queue update. Input: B x 3 x 50 x 25 x 2 random skeletons (the official
preprocessed length), a queue of 32,768 keys."""
import argparse, json, sys, time
from pathlib import Path
import torch
from torch import nn
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench import bench_training, measure_matmul_flops
from skellit.data import DataSpec
from skellit.train.engine import make_optimizer
from skellit.train.registry import get_recipe, build_pretext
import skellit.methods.msmclr   # registers skeletonclr / aimclr / msmclr


def msmclr_batch(batch_size: int, frames: int = 50, joints: int = 25, persons: int = 2, seed: int = 0) -> dict:
    "A random raw pretraining batch (every sequence `frames` valid frames; odd samples have no second person)."
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch_size, 3, frames, joints, persons, generator=g).cumsum(2) * 0.05
    x[1::2, ..., 1:] = 0
    return dict(x=x, length=torch.full((batch_size,), frames), label=torch.zeros(batch_size, dtype=torch.long),
                index=torch.arange(batch_size))


class WithInput(nn.Module):
    "The pretext preceded by its input transform, as `fit` runs them (the transform draws from the batch's generator)."
    def __init__(self, model):
        super().__init__(); self.model = model
    def forward(self, batch):
        g = batch.get('generator')
        x, L = self.model.train_transform(batch['x'], batch['length'], g)
        return self.model({**batch, 'x': x, 'length': L})
    def after_step(self): self.model.after_step()


def time_views(model, batch: dict, device='cpu', steps: int = 5) -> float:
    "Samples/s of drawing the three augmented views (strong + 2 normal), batched on the device."
    x, L = batch['x'].to(device), batch['length'].to(device)
    g = torch.Generator(device=device).manual_seed(0)
    def views():
        if model.branches: model.view(x, L, g, model.strong_aug)
        model.view(x, L, g); model.view(x, L, g)
    views()
    if torch.device(device).type == 'cuda': torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps): views()
    if torch.device(device).type == 'cuda': torch.cuda.synchronize()
    return x.shape[0] * steps / (time.perf_counter() - t0)


def bench_msmclr(method: str = 'msmclr', preset: str = 'paper-ntu60', stream: str = 'joint', batch_size: int = 128,
                 device: str = 'cpu', steps: int = 5, warmup: int = 2, matmul_flops: float | None = None,
                 with_input: bool = True, **overrides) -> dict:
    "Benchmark one pretraining configuration; returns bench_training's dict plus the method, preset and view throughput."
    torch.manual_seed(0)
    recipe = get_recipe(method, preset, stream=stream, batch_size=batch_size, **overrides)
    model = build_pretext(recipe, DataSpec()).to(device)
    opt = make_optimizer(model, recipe.pretrain)
    batch = {k: v.to(device) for k, v in msmclr_batch(batch_size).items()}
    batch['generator'] = torch.Generator(device=device).manual_seed(0)
    r = bench_training(WithInput(model) if with_input else model, batch, device=device, steps=steps, warmup=warmup,
                       optimizer=opt, matmul_flops=matmul_flops)
    return dict(impl='skellit', method=method, preset=preset, stream=stream, with_input=with_input,
                views_samples_per_s=time_views(model, batch, device, max(steps, 1)), **r)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--method', default='msmclr'); ap.add_argument('--preset', default='paper-ntu60')
    ap.add_argument('--stream', default='joint'); ap.add_argument('--batch-size', type=int, default=128)
    ap.add_argument('--device', default='cpu'); ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=2); ap.add_argument('--no-input', action='store_true')
    ap.add_argument('--threads', type=int, default=None); ap.add_argument('--json', default=None)
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    mm = measure_matmul_flops(a.device)
    r = bench_msmclr(a.method, a.preset, a.stream, a.batch_size, a.device, a.steps, a.warmup, matmul_flops=mm,
                     with_input=not a.no_input)
    print(json.dumps(r, indent=1))
    if a.json: Path(a.json).write_text(json.dumps(r, indent=1))
    return r


if __name__ == '__main__': main()
