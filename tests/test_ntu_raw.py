"Tests of skellit.io.ntu_raw that need a real module: the process pool, `python -m`, and resuming from the cache."
import subprocess, sys
from pathlib import Path
import numpy as np
import pytest
from skellit.data import SkeletonData
from skellit.io.ntu_raw import write_skeleton, preprocess_ntu, process_skeleton


def pose(dx=0., dz=0.):
    j = np.arange(25, dtype=np.float64)
    return np.stack([0.01 * j + dx, 0.1 * j, np.full(25, 3.) + dz], 1)


@pytest.fixture
def raw(tmp_path):
    d = tmp_path / 'raw'
    for a in range(1, 6):     # five single-actor samples of a + 2 frames, moving along x
        write_skeleton(d / f'S001C001P001R001A{a:03d}.skeleton', [[('1', pose(0.1 * t))] for t in range(a + 2)])
    write_skeleton(d / 'S001C001P002R001A050.skeleton', [[('1', pose(dz=1.)), ('2', pose(0.05 * t))] for t in range(15)])
    write_skeleton(d / 'S001C001P003R001A001.skeleton', [[]] * 4)     # no body: skipped
    return d


def test_parallel_matches_serial(raw, tmp_path):
    d1, r1 = preprocess_ntu(raw, tmp_path / 'serial', 'ntu60', workers=1, max_frames=20, progress=False)
    d2, r2 = preprocess_ntu(raw, tmp_path / 'par', 'ntu60', workers=2, max_frames=20, chunk_size=2, progress=False)
    assert len(d1) == len(d2) == 6
    assert np.array_equal(np.asarray(d1.x), np.asarray(d2.x))
    assert list(d1.meta['source']) == list(d2.meta['source'])
    assert r1['skipped'] == r2['skipped'] == {'S001C001P003R001A001': 'no body in any of its 4 frames (missing skeleton)'}
    assert np.array_equal(d1.length, [3, 4, 5, 6, 7, 15])


def test_resume_from_cache(raw, tmp_path):
    out, cache = tmp_path / 'out', tmp_path / 'cache'
    d1, _ = preprocess_ntu(raw, out, 'ntu120', workers=1, chunk_size=2, cache_dir=cache, keep_cache=True, progress=False)
    chunks = sorted(cache.rglob('chunk*.npz'))
    assert len(chunks) == 4
    chunks[1].unlink()                      # as if the run had been interrupted before this chunk
    mtime = chunks[0].stat().st_mtime_ns
    d2, _ = preprocess_ntu(raw, out, 'ntu120', workers=1, chunk_size=2, cache_dir=cache, keep_cache=True, progress=False)
    assert chunks[0].stat().st_mtime_ns == mtime and chunks[1].exists()   # only the missing chunk was redone
    assert np.array_equal(np.asarray(d1.x), np.asarray(d2.x))
    preprocess_ntu(raw, out, 'ntu120', workers=1, chunk_size=2, cache_dir=cache, progress=False)
    assert not any(cache.rglob('chunk*.npz'))   # removed after success unless keep_cache
    x = d2.sample(0)
    assert np.allclose(x[..., 0], x[..., 1])  # NTU-120 duplicates single actors


def test_module_cli(raw, tmp_path):
    out = tmp_path / 'cli'
    r = subprocess.run([sys.executable, '-m', 'skellit.io.ntu_raw', str(raw), str(out), '--dataset', 'ntu60',
                        '--workers', '2', '--max-frames', '32', '--no-progress'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert '1 skipped' in r.stdout and 'no body in any of its 4 frames' in r.stdout      # the reason, not just a count
    assert 'S001C001P003R001A001' in r.stdout and 'ntu_report.json' in r.stdout            # which file, and where the list is
    d = SkeletonData.load(out)
    assert (len(d), d.max_len, d.num_classes) == (6, 32, 60)
    assert (out / 'ntu_report.json').exists()
    r = subprocess.run([sys.executable, '-m', 'skellit.io.ntu_raw', str(tmp_path / 'missing'), str(out)], capture_output=True, text=True)
    assert r.returncode == 2 and 'not a directory' in r.stderr
