"skellit.io.formats: round trips through every writer/reader pair on the synthetic set (when present), dispatch, big-ish chunked I/O."
import warnings
import numpy as np
import pytest
from skellit.data import SkeletonData, toy_data
from skellit.io.load import load_dataset
from skellit.io import formats as F


def _data(n=12, T=20, V=25, M=2, num_classes=5, seed=0):
    "The synthetic default when helper C's module exists, else a random toy set."
    try:
        from skellit.io.synthetic import make_synthetic
    except ImportError:
        return toy_data(n=n, T=T, V=V, M=M, num_classes=num_classes, seed=seed)
    layout = 'ntu25' if V == 25 else 'nwucla20'
    d = make_synthetic(n=n, layout=layout, seed=seed, t_range=(8, T))
    if M == 1: d = SkeletonData(np.ascontiguousarray(d.x[..., :1]), d.length, d.label, d.class_names, d.meta, d.layout, d.name)
    return d


def _same(a, b, order=None):
    order = np.arange(len(b)) if order is None else np.asarray(order)
    T = min(a.max_len, b.max_len)
    np.testing.assert_array_equal(np.asarray(a.x)[:, :, :T], np.asarray(b.x)[order][:, :, :T])
    assert not np.asarray(a.x)[:, :, T:].any() and not np.asarray(b.x)[:, :, T:].any()
    np.testing.assert_array_equal(a.length, b.length[order])
    np.testing.assert_array_equal(a.label, b.label[order])


@pytest.mark.parametrize('compress', [False, True])
def test_npz_roundtrip_chunked(tmp_path, compress):
    tr, te = _data(seed=1), _data(n=5, seed=2)
    F.write_npz(tmp_path / 'd.npz', tr, te, compress=compress, chunk=5)
    _same(F.read_npz(tmp_path / 'd.npz', 'train', chunk=5), tr)
    _same(F.read_any(tmp_path / 'd.npz', split='test'), te)
    _same(load_dataset(tmp_path / 'd.npz', split='train'), tr)


def test_aimclr_pyskl_roundtrip(tmp_path):
    d = _data(seed=3)
    F.write_aimclr(tmp_path / 'a', d, 'train', chunk=5)
    _same(F.read_aimclr(tmp_path / 'a', 'train', chunk=5), d)
    F.write_pyskl(tmp_path / 'p.pkl', {'train': d})
    _same(F.read_pyskl(tmp_path / 'p.pkl', 'train', max_frames=d.max_len), d)


def test_nwucla_roundtrip(tmp_path):
    d = _data(V=20, M=1, num_classes=10, seed=4)
    d.meta['replication'] = np.arange(len(d))       # unique file names
    F.write_nwucla(tmp_path, d)
    r = F.read_nwucla(tmp_path, max_frames=d.max_len)
    order = [int(np.nonzero((d.meta['replication'] == e))[0][0]) for e in r.meta['replication']]
    _same(r, d, order)


def test_pkummd_roundtrip(tmp_path):
    d = _data(num_classes=51, seed=5)
    names = F.write_pkummd(tmp_path, d, per_video=4)
    r = F.read_pkummd(tmp_path, max_frames=d.max_len)
    pos = {n: i for i, n in enumerate(r.meta['source'])}
    _same(r.subset([pos[n] for n in names]).materialize(), d)


def test_read_any_unknown(tmp_path):
    (tmp_path / 'x.h5').write_bytes(b'')
    with pytest.raises(ValueError, match='known formats'):
        F.read_any(tmp_path / 'x.h5')
