"""Hi-TRS pretraining benchmark: samples/s, peak memory, FLOPs and model-FLOP utilisation of one full training step.

    python benchmarks/bench_hi_trs.py --preset paper-ntu60 --batch-size 64 --frames 100 --device cuda
    python benchmarks/bench_hi_trs.py --batch-size 16 --lengths ntu --device cpu --threads 2

Uses `benchmarks/bench.py` (`bench_training`, `measure_matmul_flops`, `count_flops`). Input: single-person sequences
(the pretraining samples) of natural length, zero-padded to the longest in the batch, raw coordinates; every step
draws its own corruption, clips and swaps inside the model's forward from the batch's `generator`.
`--lengths fixed` gives every sequence `--frames` frames; `--lengths ntu` draws lengths from a log-normal with median
80 frames clipped to [32, 300] (a stand-in for NTU's spread of lengths), so the batch is padded to its longest."""
import argparse, json, math, sys
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench import bench_training, measure_matmul_flops
from skellit.data import DataSpec
from skellit.train.registry import get_recipe, build_pretext
import skellit.methods.hi_trs  # registers the method and its recipes


def sample_lengths(batch_size: int, mode: str = 'fixed', frames: int = 100, seed: int = 0) -> torch.Tensor:
    "Sequence lengths: all `frames` ('fixed') or log-normal, median 80, clipped to [32, 300] ('ntu')."
    if mode == 'fixed': return torch.full((batch_size,), frames, dtype=torch.long)
    if mode == 'ntu':
        g = torch.Generator().manual_seed(seed)
        return (80 * torch.exp(0.45 * torch.randn(batch_size, generator=g))).round().clamp(32, 300).long()
    raise ValueError(f"lengths must be 'fixed' or 'ntu', got {mode!r}")


def hi_trs_batch(lengths: torch.Tensor, num_joints: int = 25, seed: int = 0) -> dict:
    "A pretraining batch of single-person random-walk skeletons (B, 3, T_max, V, 1) with the given lengths."
    g = torch.Generator().manual_seed(seed)
    B, T = len(lengths), int(lengths.max())
    x = torch.randn(B, 3, T, num_joints, 1, generator=g).cumsum(2) * 0.02 + torch.randn(B, 3, 1, num_joints, 1, generator=g)
    x = x * (torch.arange(T)[None, :] < lengths[:, None])[:, None, :, None, None]
    return dict(x=x, length=lengths.clone(), label=torch.zeros(B, dtype=torch.long), index=torch.arange(B))


def bench_hi_trs(preset: str = 'paper-ntu60', batch_size: int = 64, lengths: str = 'fixed', frames: int = 100,
                 device: str = 'cpu', steps: int = 5, warmup: int = 2, amp: str = 'none',
                 matmul_flops: float | None = None, seed: int = 0) -> dict:
    "Benchmark one Hi-TRS pretraining configuration; returns bench_training's dict plus the setting."
    torch.manual_seed(seed)
    model = build_pretext(get_recipe('hi_trs', preset), DataSpec(num_persons=1))
    L = sample_lengths(batch_size, lengths, frames, seed)
    b = {k: v.to(device) for k, v in hi_trs_batch(L, model.encoder.num_joints, seed).items()}
    b['generator'] = torch.Generator(device=device).manual_seed(seed)
    r = bench_training(model, b, device=device, steps=steps, warmup=warmup, amp=amp, matmul_flops=matmul_flops)
    return dict(impl='skellit', preset=preset, lengths=lengths, mean_len=L.float().mean().item(), max_len=int(L.max()), **r)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--preset', default='paper-ntu60'); ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--lengths', default='fixed', choices=['fixed', 'ntu']); ap.add_argument('--frames', type=int, default=100)
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--steps', type=int, default=5); ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--amp', default='none', choices=['none', 'bf16', 'fp16'])
    ap.add_argument('--threads', type=int, default=None); ap.add_argument('--json', default=None)
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    dt = {'bf16': torch.bfloat16, 'fp16': torch.float16}.get(a.amp, torch.float32) if a.device.startswith('cuda') else torch.float32
    mm = measure_matmul_flops(a.device, dtype=dt)
    r = bench_hi_trs(a.preset, a.batch_size, a.lengths, a.frames, a.device, a.steps, a.warmup, a.amp, matmul_flops=mm)
    print(json.dumps(r, indent=1))
    if a.json: Path(a.json).write_text(json.dumps(r, indent=1))
    return r


if __name__ == '__main__': main()
