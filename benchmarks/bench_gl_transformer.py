"""GL-Transformer pretraining benchmark: samples/s, peak memory, FLOPs and model-FLOP utilisation.

    python benchmarks/bench_gl_transformer.py --preset paper-ntu60 --batch-size 2 --lengths full --steps 3 --device cpu
    python benchmarks/bench_gl_transformer.py --preset paper-ntu60 --lengths 300,150,100,50 --steps 3

Uses `benchmarks/bench.py` (`bench_training`, `measure_matmul_flops`; FLOPs by `count_flops`). Input: B random-walk
skeletons (3 x 300 x 25 x 2, second person absent in odd samples) with the given valid lengths, passed once through
the model's training transform (input step, interpolation, shear), then zero-padded back to T_max = 300 as a loader
would deliver them. One training step = MPDP labels + forward + loss + backward + AdamW step. `--no-pack` computes
every padded frame (the official code's work) instead of the valid frames only. On a machine shared with other jobs,
`--threads 1` gives much steadier numbers than several threads (OpenMP barriers stall when a thread is descheduled)."""
import argparse, json, sys
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench import bench_training, measure_matmul_flops
from skellit.data import DataSpec
from skellit.train.registry import get_recipe, build_pretext
import skellit.methods.gl_transformer   # registers the method and its recipes


def build(preset: str = 'paper-ntu60', **model) -> torch.nn.Module:
    "The GL-Transformer pretext of a registered recipe for NTU-shaped data (25 joints, 2 persons, xyz, 300 frames)."
    return build_pretext(get_recipe('gl_transformer', preset, **model), DataSpec())


def parse_lengths(spec: str, batch_size: int, max_frames: int) -> list:
    "'full' -> every sample max_frames long; '300,150,...' -> those lengths (cycled to batch_size)."
    if spec == 'full': return [max_frames] * batch_size
    ls = [int(v) for v in spec.split(',')]
    return [ls[i % len(ls)] for i in range(batch_size)]


def gl_batch(model, lengths: list, seed: int = 0) -> dict:
    "A pretraining batch with the given valid lengths, through the model's training transform, padded to T_max."
    enc = model.encoder
    B, T = len(lengths), enc.max_frames
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, enc.in_channels, T, enc.num_joints, enc.num_persons, generator=g).cumsum(2) * 0.01
    x = x + torch.randn(B, enc.in_channels, 1, enc.num_joints, enc.num_persons, generator=g) * 0.3
    length = torch.tensor(lengths)
    x = x * (torch.arange(T)[None] < length[:, None])[:, None, :, None, None]
    if enc.num_persons > 1: x[1::2, ..., 1:] = 0
    xt, lt = model.train_transform(x, length, g)
    xp = xt.new_zeros(B, enc.in_channels, T, enc.num_joints, enc.num_persons)
    xp[:, :, :xt.shape[2]] = xt[:, :, :T]
    return dict(x=xp, length=lt, label=torch.zeros(B, dtype=torch.long), index=torch.arange(B))


def bench_gl(preset: str = 'paper-ntu60', batch_size: int = 2, lengths: str = 'full', device: str = 'cpu',
             steps: int = 3, warmup: int = 1, pack: bool = True, matmul_flops: float | None = None, seed: int = 0) -> dict:
    "Benchmark one GL-Transformer pretraining configuration; returns bench_training's dict plus the setting."
    torch.manual_seed(seed)
    model = build(preset, pack=pack)
    batch = gl_batch(model, parse_lengths(lengths, batch_size, model.encoder.max_frames), seed)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=5e-5, weight_decay=0.1)
    r = bench_training(model, batch, device=device, steps=steps, warmup=warmup, optimizer=opt, matmul_flops=matmul_flops)
    return dict(impl='skellit', preset=preset, pack=pack, lengths=batch['length'].tolist(), **r)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--preset', default='paper-ntu60'); ap.add_argument('--batch-size', type=int, default=2)
    ap.add_argument('--lengths', default='full', help="'full' or comma-separated valid lengths (cycled)")
    ap.add_argument('--device', default='cpu'); ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--warmup', type=int, default=1); ap.add_argument('--no-pack', action='store_true')
    ap.add_argument('--threads', type=int, default=None); ap.add_argument('--json', default=None)
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    mm = measure_matmul_flops(a.device)
    r = bench_gl(a.preset, a.batch_size, a.lengths, a.device, a.steps, a.warmup, not a.no_pack, mm)
    print(json.dumps(r, indent=1))
    if a.json: Path(a.json).write_text(json.dumps(r, indent=1))
    return r


if __name__ == '__main__': main()
