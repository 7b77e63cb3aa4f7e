"""MAMP pretraining benchmark: samples/s, peak memory, FLOPs and model-FLOP utilisation at the paper config.

    python benchmarks/bench_mamp.py --preset paper-ntu60 --batch-size 32 --steps 5 --device cpu

Uses `benchmarks/bench.py` (`bench_training`, `measure_matmul_flops`). Input: B x 3 x 120 x 25 x 2 random skeletons
(T already at the crop-resized 120 frames), mask ratio 0.9 (74 of 750 tokens kept per person)."""
import argparse, json, sys
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench import bench_training, measure_matmul_flops
from skellit.methods.mamp import MAMP, get_config


def mamp_batch(cfg, batch_size: int, persons: int = 2, seed: int = 0) -> dict:
    "A random pretraining batch at the model's input size."
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch_size, cfg.in_channels, cfg.num_frames, cfg.num_joints, persons, generator=g)
    return dict(x=x, length=torch.full((batch_size,), cfg.num_frames), label=torch.zeros(batch_size, dtype=torch.long),
                index=torch.arange(batch_size))


def bench_mamp(preset: str = 'paper-ntu60', batch_size: int = 32, device: str = 'cpu', steps: int = 5, warmup: int = 2,
               mask_ratio: float = 0.9, matmul_flops: float | None = None) -> dict:
    "Benchmark one MAMP pretraining configuration; returns bench_training's dict plus the preset."
    torch.manual_seed(0)
    cfg = get_config(preset, mask_ratio=mask_ratio)
    model = MAMP(cfg)
    r = bench_training(model, mamp_batch(cfg, batch_size), device=device, steps=steps, warmup=warmup, matmul_flops=matmul_flops)
    return dict(impl='skellit', preset=preset, mask_ratio=mask_ratio, **r)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--preset', default='paper-ntu60'); ap.add_argument('--batch-size', type=int, default=32)
    ap.add_argument('--device', default='cpu'); ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=2); ap.add_argument('--mask-ratio', type=float, default=0.9)
    ap.add_argument('--threads', type=int, default=None); ap.add_argument('--json', default=None)
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    mm = measure_matmul_flops(a.device)
    r = bench_mamp(a.preset, a.batch_size, a.device, a.steps, a.warmup, a.mask_ratio, matmul_flops=mm)
    print(json.dumps(r, indent=1))
    if a.json: Path(a.json).write_text(json.dumps(r, indent=1))
    return r


if __name__ == '__main__': main()
