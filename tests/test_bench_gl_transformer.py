"Smoke test of benchmarks/bench_gl_transformer.py on the small demo preset (the paper-size benchmark is not run in CI)."
from benchmarks.bench_gl_transformer import bench_gl, parse_lengths


def test_parse_lengths():
    assert parse_lengths('full', 3, 300) == [300, 300, 300]
    assert parse_lengths('300,50', 3, 300) == [300, 50, 300]


def test_bench_gl_demo_packs_valid_frames_only():
    packed = bench_gl('demo', batch_size=2, lengths='40,10', steps=1, warmup=0, matmul_flops=1e9)
    full = bench_gl('demo', batch_size=2, lengths='40,10', steps=1, warmup=0, pack=False, matmul_flops=1e9)
    assert packed['samples_per_s'] > 0 and packed['flops_per_sample'] > 0
    assert packed['flops_per_sample'] < full['flops_per_sample']     # padding frames cost nothing when packed
