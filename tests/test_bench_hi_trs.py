"Smoke test of benchmarks/bench_hi_trs.py at a tiny size (the full benchmark is not run in CI)."
import torch
from benchmarks.bench_hi_trs import bench_hi_trs, sample_lengths, hi_trs_batch


def test_lengths_and_batch():
    L = sample_lengths(64, 'ntu')
    assert L.min() >= 32 and L.max() <= 300 and len(set(L.tolist())) > 10
    assert (sample_lengths(4, 'fixed', 37) == 37).all()
    b = hi_trs_batch(torch.tensor([20, 25]))
    assert b['x'].shape == (2, 3, 25, 25, 1) and (b['x'][0, :, 20:] == 0).all() and (b['x'][1, :, 24] != 0).any()


def test_bench_hi_trs_demo():
    r = bench_hi_trs('demo', batch_size=3, lengths='fixed', frames=20, steps=1, warmup=0, matmul_flops=1e9)
    assert r['impl'] == 'skellit' and r['samples_per_s'] > 0 and r['flops_per_sample'] > 0 and r['max_len'] == 20
