"Smoke test of benchmarks/bench.py's reusable functions (tiny sizes; the full benchmark is not run in CI)."
import torch, torch.nn as nn, torch.nn.functional as F
from benchmarks.bench import measure_matmul_flops, bench_training, count_flops, bench_data_pipeline


class _Tiny(nn.Module):
    def __init__(self):
        super().__init__(); self.fc = nn.Linear(8, 4)
    def forward(self, batch): return {'loss': F.cross_entropy(self.fc(batch['x']), batch['label'])}


def test_flops_and_training_bench():
    assert measure_matmul_flops('cpu', n=64, iters=2) > 0
    m = _Tiny(); b = {'x': torch.randn(4, 8), 'label': torch.tensor([0, 1, 2, 3])}
    assert count_flops(lambda: m(b)['loss']) == 2 * 4 * 8 * 4        # one (4x8)@(8x4) matmul
    r = bench_training(m, b, 'cpu', steps=2, warmup=1, matmul_flops=1e9)
    assert r['flops_per_sample'] == 2 * (2 * 8 * 4)                  # forward + weight grad (the input needs no grad), per sample
    assert r['samples_per_s'] > 0 and 0 < r['mfu'] and r['peak_memory_MiB'] > 0


def test_data_pipeline_bench():
    r = bench_data_pipeline(batch_size=4, batches=2, samples=16, frames=80)
    assert r['per_sample_loader'] > 0 and r['batched_on_device'] > 0
