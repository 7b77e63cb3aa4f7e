"Smoke test of benchmarks/bench_msmclr.py at toy size (the paper-size benchmark is not run in CI)."
from benchmarks.bench_msmclr import bench_msmclr, msmclr_batch


def test_bench_msmclr_toy():
    r = bench_msmclr('msmclr', 'paper-ntu60', 'bone', batch_size=4, steps=1, warmup=0, matmul_flops=1e9,
                     hidden_channels=4, hidden_dim=16, dim=8, queue_size=8)
    assert r['samples_per_s'] > 0 and r['views_samples_per_s'] > 0 and r['flops_per_sample'] > 0
    assert r['input_shape'] == [4, 3, 50, 25, 2] and r['stream'] == 'bone' and r['with_input']


def test_bench_skeletonclr_without_input_transform():
    r = bench_msmclr('skeletonclr', 'paper-ntu60', batch_size=4, steps=1, warmup=0, matmul_flops=1e9, with_input=False,
                     hidden_channels=4, hidden_dim=16, dim=8, queue_size=8)
    assert r['samples_per_s'] > 0 and r['method'] == 'skeletonclr' and not r['with_input']


def test_msmclr_batch_has_absent_persons():
    b = msmclr_batch(4)
    assert b['x'][1, ..., 1].abs().sum() == 0 and b['x'][0, ..., 1].abs().sum() > 0 and (b['length'] == 50).all()
