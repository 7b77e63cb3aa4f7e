"""The malformed-input battery: files of every format, tensors fed to loaders and `fit`, and run directories given to
resume. Each case asserts the class of its outcome:

* `error`  — a clear error raised by skellit (the innermost frame of the traceback is in the package, not inside torch
  or numpy) whose message names the file or sample and the problem;
* `skip`   — a documented skip or change that is reported (a `ReadReport` / a warning / a log record);
* `convert`— a documented conversion (e.g. float64 batches become float32 at the engine boundary).

Never a silent acceptance."""
import json, pickle, shutil, traceback, warnings
from pathlib import Path
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

from skellit.data import SkeletonData, toy_data, make_loader
from skellit.io import formats as F
from skellit.io.load import load_dataset
from skellit.io.ntu_raw import write_skeleton, preprocess_ntu
from skellit.interface import Supervised
from skellit.checks import ToyEncoder
from skellit.train.engine import fit, TrainConfig, load_checkpoint, read_log, NonFiniteError, CheckpointError
from skellit.train.evaluate import knn_monitor, linear_probe


# ---------------------------------------------------------------- outcome checks
def expect_error(fn, *snippets, exc=Exception):
    "fn() raises `exc` from inside skellit, and the message holds every snippet (case-insensitive)."
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with pytest.raises(exc) as ei: fn()
    msg = str(ei.value)
    for s in snippets: assert s.lower() in msg.lower(), f"message lacks {s!r}: {msg}"
    frame = traceback.extract_tb(ei.value.__traceback__)[-1]
    assert '/skellit/' in frame.filename.replace('\\', '/'), \
        f"raised from {frame.filename}:{frame.lineno} (inside a dependency, without skellit's context): {msg}"
    return msg


def expect_skip(fn, reason):
    "fn() succeeds and reports `reason` (in a warning or in the result's report)."
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        out = fn()
    said = ' '.join(str(x.message) for x in w) + ' ' + repr(getattr(out, 'report', ''))
    assert reason.lower() in said.lower(), f"no report of {reason!r}: {said}"
    return out


def toy_model(num_classes=4, dim=8):
    torch.manual_seed(0)
    return Supervised(ToyEncoder(dim=dim), num_classes=num_classes)


CFG = dict(progress=False, log_every=1)


class Items(Dataset):
    "A user's own dataset: dict items with the given x dtype / channels / lengths / labels."
    def __init__(self, n=4, C=3, T=8, dtype=torch.float32, length=None, label=None, nan_at=None):
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(n, C, T, 25, 2, generator=g).to(dtype)
        if nan_at is not None: self.x[nan_at, 0, 0, 0, 0] = float('nan')
        self.length = torch.full((n,), T) if length is None else torch.as_tensor(length)
        self.label = torch.arange(n) % 4 if label is None else torch.as_tensor(label)
    def __len__(self): return len(self.x)
    def __getitem__(self, i):
        return dict(x=self.x[i], length=self.length[i], label=self.label[i], index=torch.tensor(i))


# ---------------------------------------------------------------- files of every format
def _npz_arrays(d):
    return d.x.transpose(0, 2, 4, 3, 1).reshape(len(d), d.max_len, -1)


def _npz(tmp, name, n=6, **over):
    d = toy_data(n=n, T=10, num_classes=3, seed=1)
    a = dict(x_train=_npz_arrays(d), y_train=np.eye(3)[d.label], x_test=_npz_arrays(d), y_test=np.eye(3)[d.label])
    a.update(over)
    np.savez(tmp / name, **a)
    return tmp / name


def case_npz_missing(tmp): expect_error(lambda: F.read_npz(tmp / 'nope.npz'), 'nope.npz', 'not found')
def case_npz_truncated(tmp):
    p = _npz(tmp, 'a.npz'); (tmp / 't.npz').write_bytes(p.read_bytes()[:1500])
    expect_error(lambda: F.read_npz(tmp / 't.npz'), 't.npz', 'truncated')
def case_npz_joint_count(tmp): expect_error(lambda: F.read_npz(_npz(tmp, 'a.npz'), layout='nwucla20'), 'a.npz', 'wrong joint count')
def case_npz_nan_sample_index(tmp):
    "A NaN in sample 280 of a compressed file is reported as sample 280, not as its index inside a chunk."
    d = toy_data(n=300, T=4, num_classes=3, seed=2)
    x = _npz_arrays(d).copy(); x[280, 1, 7] = np.nan
    np.savez_compressed(tmp / 'c.npz', x_train=x, y_train=np.eye(3)[d.label], x_test=x[:2], y_test=np.eye(3)[d.label[:2]])
    msg = expect_error(lambda: F.read_npz(tmp / 'c.npz', chunk=256), 'c.npz', 'sample 280', 'NaN')
    assert 'sample 24 ' not in msg
def case_npz_zero_length(tmp):
    d = toy_data(n=6, T=10, num_classes=3, seed=1); x = _npz_arrays(d).copy(); x[3] = 0
    p = _npz(tmp, 'z.npz', x_train=x)
    expect_error(lambda: F.read_npz(p), 'z.npz', 'sample 3', 'zero-length')
    r = expect_skip(lambda: F.read_npz(p, drop_empty=True), 'all-zero')
    assert len(r) == 5
def case_npz_not_one_hot(tmp): expect_error(lambda: F.read_npz(_npz(tmp, 'o.npz', y_train=np.zeros((6, 3)))), 'o.npz', 'not one-hot')
def case_npz_float_labels(tmp):
    "Float labels 1.7 are not truncated to 1 silently."
    p = _npz(tmp, 'f.npz', y_train=np.array([0, 1, 1.7, 2, 0, 1]))
    expect_error(lambda: F.read_npz(p), 'f.npz', 'sample 2', '1.7', 'integer')
def case_npz_integral_float_labels(tmp):
    "Integral float labels (1.0, 2.0) are a documented exact conversion."
    r = F.read_npz(_npz(tmp, 'i.npz', y_train=np.array([0., 1., 2., 2., 0., 1.])))
    assert r.label.dtype == np.int64 and r.label.tolist() == [0, 1, 2, 2, 0, 1]
def case_npz_negative_label(tmp):
    expect_error(lambda: F.read_npz(_npz(tmp, 'n.npz', y_train=np.array([0, 1, -5, 2, 0, 1]))), 'n.npz', 'sample 2', '-5')
def case_npz_unknown_split(tmp): expect_error(lambda: F.read_npz(_npz(tmp, 'a.npz'), split='xsub'), 'a.npz', "unknown split 'xsub'")
def case_npz_missing_array(tmp):
    np.savez(tmp / 'e.npz', foo=np.zeros(3))
    expect_error(lambda: F.read_npz(tmp / 'e.npz'), 'e.npz', "no array 'x_train'")


def _aim(tmp, n=5):
    d = toy_data(n=n, T=10, num_classes=3, seed=3)
    F.write_aimclr(tmp / 'aim', d, 'train')
    return d


def case_aimclr_truncated_npy(tmp):
    _aim(tmp); p = tmp / 'aim' / 'train_data_joint.npy'; p.write_bytes(p.read_bytes()[:3000])
    expect_error(lambda: F.read_aimclr(tmp / 'aim', 'train'), 'train_data_joint.npy', 'truncated')
def case_aimclr_truncated_pkl(tmp):
    _aim(tmp); p = tmp / 'aim' / 'train_label.pkl'; p.write_bytes(p.read_bytes()[:20])
    expect_error(lambda: F.read_aimclr(tmp / 'aim', 'train'), 'train_label.pkl', 'not a readable pickle')
def case_aimclr_count_mismatch(tmp):
    _aim(tmp); pickle.dump((['a', 'b'], [0, 1]), open(tmp / 'aim' / 'train_label.pkl', 'wb'))
    expect_error(lambda: F.read_aimclr(tmp / 'aim', 'train'), 'train_label.pkl', '2 names and 2 labels for 5 samples')
def case_aimclr_float_labels(tmp):
    _aim(tmp); pickle.dump(([f's{i}' for i in range(5)], [0, 1.7, 2, 0, 1]), open(tmp / 'aim' / 'train_label.pkl', 'wb'))
    expect_error(lambda: F.read_aimclr(tmp / 'aim', 'train'), 'train_label.pkl', 's1', '1.7')
def case_aimclr_label_range(tmp):
    _aim(tmp); expect_error(lambda: F.read_aimclr(tmp / 'aim', 'train', class_names=['a', 'b']), 'train_label.pkl', 'label 2 of sample 2')


def _pk(tmp, **upd):
    a = dict(frame_dir='S001C001P001R001A001', label=0, total_frames=5, keypoint=np.ones((1, 5, 25, 3), np.float32))
    a.update(upd)
    with open(tmp / 'p.pkl', 'wb') as f: pickle.dump({'split': {'all': [a['frame_dir']]}, 'annotations': [a]}, f)
    return tmp / 'p.pkl'


def case_pyskl_2d_without_score(tmp): expect_error(lambda: F.read_pyskl(_pk(tmp, keypoint=np.ones((1, 5, 25, 2)))), 'p.pkl', 'S001C001P001R001A001', 'C must be 3')
def case_pyskl_float_label(tmp): expect_error(lambda: F.read_pyskl(_pk(tmp, label=1.7)), 'p.pkl', 'S001C001P001R001A001', '1.7')
def case_pyskl_total_frames(tmp): expect_error(lambda: F.read_pyskl(_pk(tmp, total_frames=9)), 'p.pkl', 'total_frames=9')
def case_pyskl_extra_persons(tmp): expect_skip(lambda: F.read_pyskl(_pk(tmp, keypoint=np.ones((3, 5, 25, 3)))), 'more than 2 persons')
def case_pyskl_nan(tmp): expect_error(lambda: F.read_pyskl(_pk(tmp, keypoint=np.full((1, 5, 25, 3), np.nan))), 'p.pkl', 'S001C001P001R001A001', 'NaN')


def _uc(tmp, text=None, **js):
    p = tmp / 'ucla'; p.mkdir(exist_ok=True)
    base = dict(file_name='a01_s01_e00_v01', skeletons=np.ones((4, 20, 3)).tolist(), label=1); base.update(js)
    (p / 'a01_s01_e00_v01.json').write_text(text if text is not None else json.dumps(base))
    return p


def case_nwucla_truncated_json(tmp): expect_error(lambda: F.read_nwucla(_uc(tmp, text='{"skeletons": [[[1, 2')), 'a01_s01_e00_v01.json', 'truncated')
def case_nwucla_joint_count(tmp): expect_error(lambda: F.read_nwucla(_uc(tmp, skeletons=np.ones((4, 25, 3)).tolist())), 'a01_s01_e00_v01.json', 'wrong joint count: 25')
def case_nwucla_label_disagrees(tmp): expect_error(lambda: F.read_nwucla(_uc(tmp, label=3)), 'a01_s01_e00_v01.json', 'disagrees')


def _pku(tmp, skel=None, lab='1,0,3,1\n'):
    p = tmp / 'pku'; (p / 'skeleton').mkdir(parents=True, exist_ok=True); (p / 'label').mkdir(exist_ok=True)
    (p / 'skeleton' / '0001-L.txt').write_text(skel if skel is not None else '\n'.join([' '.join(['0.5'] * 150)] * 4))
    (p / 'label' / '0001-L.txt').write_text(lab)
    return p


def case_pkummd_short_line(tmp):
    expect_error(lambda: F.read_pkummd(_pku(tmp, skel=' '.join(['1'] * 150) + '\n' + ' '.join(['1'] * 75))), '0001-L.txt', 'line 2 has 75 values')
def case_pkummd_label_range(tmp): expect_error(lambda: F.read_pkummd(_pku(tmp, lab='52,0,3,1\n')), '0001-L.txt', 'label 52 out of range')
def case_pkummd_zero_instance(tmp):
    skel = '\n'.join([' '.join(['0'] * 150)] * 2 + [' '.join(['0.5'] * 150)] * 4)
    r = expect_skip(lambda: F.read_pkummd(_pku(tmp, skel=skel, lab='1,0,2,1\n2,2,6,1\n')), 'all-zero')
    assert len(r) == 1


def case_saved_missing_info(tmp):
    p = toy_data(n=3, T=6).save(tmp / 'ds'); (p / 'info.json').unlink()
    expect_error(lambda: SkeletonData.load(p), 'ds', 'missing')
def case_saved_truncated_x(tmp):
    p = toy_data(n=3, T=6).save(tmp / 'ds'); x = p / 'x.npy'; x.write_bytes(x.read_bytes()[:500])
    expect_error(lambda: SkeletonData.load(p), 'ds', 'truncated')
def case_saved_nan(tmp):
    "A saved dataset with a NaN sample is refused when loaded (sample and file named), and loads with validate=False."
    d = toy_data(n=4, T=6); d._x = d._x.copy(); d._x[2, 0, 0, 0, 0] = np.nan
    p = d.save(tmp / 'ds')
    expect_error(lambda: SkeletonData.load(p), 'sample 2', 'toy002', 'NaN')
    assert len(SkeletonData.load(p, validate=False)) == 4
def case_raw_ntu_folder(tmp):
    (tmp / 'raw').mkdir(); (tmp / 'raw' / 'S001C001P001R001A001.skeleton').write_text('1\n')
    expect_error(lambda: load_dataset(tmp / 'raw'), 'raw', 'skellit-ntu')
def case_raw_ntu_truncated(tmp):
    j = np.stack([np.arange(25) * .01, np.arange(25) * .1, np.full(25, 3.)], 1)
    write_skeleton(tmp / 'raw' / 'S001C001P001R001A001.skeleton', [[('1', j + .01 * t)] for t in range(4)])
    bad = write_skeleton(tmp / 'raw' / 'S001C001P001R001A002.skeleton', [[('1', j)]] * 2)
    bad.write_text('\n'.join(bad.read_text().splitlines()[:-3]))
    expect_error(lambda: preprocess_ntu(tmp / 'raw', tmp / 'o', 'ntu60', workers=1, progress=False), 'S001C001P001R001A002', 'truncated')
    d, rep = preprocess_ntu(tmp / 'raw', tmp / 'o', 'ntu60', workers=1, on_error='skip', progress=False)
    assert len(d) == 1 and rep['skipped']['S001C001P001R001A002'].startswith('unreadable')
def case_unknown_format(tmp):
    (tmp / 'x.csv').write_text('1,2'); expect_error(lambda: F.read_any(tmp / 'x.csv'), 'x.csv', 'unknown data format')


# ---------------------------------------------------------------- SkeletonData fed to loaders
def _edit(**kw):
    d = toy_data(n=8, T=8); d._x = d._x.copy()
    for k, v in kw.items(): v(d)
    return d


def case_loader_nan(tmp):
    d = _edit(x=lambda d: d._x.__setitem__((5, 0, 0, 0, 0), np.nan))
    expect_error(lambda: make_loader(d, 4), 'sample 5', 'toy005', 'NaN')
def case_loader_zero_length(tmp): expect_error(lambda: make_loader(_edit(l=lambda d: d.length.__setitem__(3, 0)), 4), 'sample 3', 'zero length')
def case_loader_length_beyond_T(tmp): expect_error(lambda: make_loader(_edit(l=lambda d: d.length.__setitem__(1, 99)), 4), 'sample 1', 'length 99 > T=8')
def case_loader_label_too_big(tmp): expect_error(lambda: make_loader(_edit(l=lambda d: d.label.__setitem__(2, 7)), 4), 'label 7', 'sample 2', 'toy002')
def case_loader_negative_label(tmp): expect_error(lambda: make_loader(_edit(l=lambda d: d.label.__setitem__(6, -5)), 4), 'label -5', 'sample 6')
def case_data_float_labels(tmp):
    d = toy_data(n=4, T=6)
    expect_error(lambda: SkeletonData(d.x, d.length, [0, 1.7, 2, 3], d.class_names), 'sample 1', '1.7', 'integer')
def case_data_two_channels(tmp):
    d = toy_data(n=4, T=6)
    expect_error(lambda: make_loader(SkeletonData(d.x[:, :2], d.length, d.label, d.class_names, name='kp2d'), 2), 'kp2d', 'C=3', '2-D')


# ---------------------------------------------------------------- tensors from a user's loader fed to fit
def _fit(ds, bs=2, model=None, **cfg):
    m = model or toy_model()
    return fit(m, DataLoader(ds, bs), TrainConfig(**{**CFG, **cfg})), m


def case_fit_float64_converted(tmp):
    h, m = _fit(Items(dtype=torch.float64))
    assert h[-1]['step'] == 2 and all(p.dtype == torch.float32 for p in m.parameters())
def case_fit_float16_converted(tmp):
    h, _ = _fit(Items(dtype=torch.float16)); assert np.isfinite(h[-1]['loss'])
def case_fit_two_channels(tmp): expect_error(lambda: _fit(Items(C=2)), 'C=2', '2-D', 'x, y, z')
def case_fit_zero_length_batch(tmp): expect_error(lambda: _fit(Items(length=[0, 0, 8, 8])), 'samples [0, 1]', 'length 0')
def case_fit_float_labels(tmp): expect_error(lambda: _fit(Items(label=torch.tensor([0., 1.7, 2., 3.]))), 'sample 1', '1.7', 'integer')
def case_fit_negative_label(tmp): expect_error(lambda: _fit(Items(label=[0, 1, -5, 3])), 'label -5', 'sample 2')
def case_fit_nan_input(tmp):
    "A NaN input stops training at its step, naming the samples and the input; no checkpoint is written."
    msg = expect_error(lambda: fit(toy_model(), DataLoader(Items(n=6, nan_at=3), 2), TrainConfig(**CFG), out_dir=tmp / 'run'),
                       'step 2', '[2, 3]', 'input', exc=NonFiniteError)
    assert 'sample 3' in msg and not list((tmp / 'run').glob('checkpoint*'))
def case_fit_nan_skip(tmp):
    "nonfinite='skip' drops the step, counts it in the log, and trains on."
    h = fit(toy_model(), DataLoader(Items(n=6, nan_at=3), 2), TrainConfig(**CFG, epochs=2, nonfinite='skip'), out_dir=tmp / 'run')
    recs = read_log(tmp / 'run')
    skipped = [r for r in recs if r['kind'] == 'nonfinite']
    assert len(skipped) == 2 and skipped[0]['indices'] == [2, 3] and skipped[0]['action'] == 'skipped'
    assert h[-1]['nonfinite_skipped'] == 2 and np.isfinite(h[-1]['loss'])
    ck = load_checkpoint(tmp / 'run' / 'checkpoint-last.pt')
    assert all(torch.isfinite(v).all() for v in ck['model'].values())
def case_mamp_joint_count(tmp):
    import skellit.methods.mamp
    from skellit.train.registry import get_recipe, build_pretext
    from skellit.data import DataSpec
    m = build_pretext(get_recipe('mamp', 'demo'), DataSpec(num_joints=25, max_len=16))
    x = torch.zeros(2, 3, 16, 20, 2)
    expect_error(lambda: m.encoder(x, torch.tensor([16, 16])), '25 joints', '20', 'build_pretext')


# ---------------------------------------------------------------- run directories given to resume
def _run(out, bs=4, n=12, stop=None, model=None, allow=(), **cfg):
    dl = make_loader(toy_data(n=n, T=8), batch_size=bs, shuffle=True)
    c = TrainConfig(**{**dict(epochs=2, lr=1e-2), **CFG, **cfg})
    m = model or toy_model()
    return fit(m, dl, c, out_dir=out, resume=True, stop_after_steps=stop, allow_changes=allow), m


def case_resume_batch_size(tmp):
    _run(tmp / 'r', stop=2); expect_error(lambda: _run(tmp / 'r', bs=2), 'batch_size', '4', '2', 'allow_changes')
def case_resume_dataset_size(tmp):
    _run(tmp / 'r', stop=2); expect_error(lambda: _run(tmp / 'r', n=16), 'dataset_size', '12', '16')
def case_resume_model_shape(tmp):
    _run(tmp / 'r', stop=2); expect_error(lambda: _run(tmp / 'r', model=toy_model(dim=16)), 'encoder.embed.weight', 'shape')
def case_resume_lr(tmp):
    "A changed lr is refused unless allowed; the allowed change is recorded in the log."
    _run(tmp / 'r', stop=2)
    expect_error(lambda: _run(tmp / 'r', lr=5e-3), 'lr', '0.01', '0.005')
    _run(tmp / 'r', lr=5e-3, allow=('lr',))
    rec = [r for r in read_log(tmp / 'r') if r['kind'] == 'resume']
    assert rec and rec[-1]['changes'] == {'lr': [0.01, 0.005]} and rec[-1]['step'] == 2


def _corrupt_last(tmp, how):
    ref, _ = _run(tmp / 'ref')
    _run(tmp / 'r', stop=4)                 # epoch 0 ends at step 3 (checkpoint-prev.pt), the stop writes step 4
    p = tmp / 'r' / 'checkpoint-last.pt'; b = bytearray(p.read_bytes())
    if how == 'truncated': p.write_bytes(bytes(b[:len(b) // 2]))
    elif how == 'empty': p.write_bytes(b'')
    else: b[len(b) // 3] ^= 0x10; p.write_bytes(bytes(b))
    h, m = expect_skip(lambda: _run(tmp / 'r'), 'checkpoint-prev.pt')
    for k, v in load_checkpoint(tmp / 'ref' / 'checkpoint-last.pt')['model'].items(): assert torch.equal(v, m.state_dict()[k]), k
    steps = [r['step'] for r in read_log(tmp / 'r') if r['kind'] == 'step']
    assert steps == sorted(set(steps)) == list(range(1, 7)), steps     # no duplicate step records after the fallback
    return p


def case_ckpt_truncated(tmp): _corrupt_last(tmp, 'truncated')
def case_ckpt_empty(tmp): _corrupt_last(tmp, 'empty')
def case_ckpt_bitflip(tmp): _corrupt_last(tmp, 'bitflip')
def case_load_checkpoint_corrupt(tmp):
    _run(tmp / 'r', stop=2); p = tmp / 'r' / 'checkpoint-last.pt'; b = bytearray(p.read_bytes()); b[len(b) // 2] ^= 1; p.write_bytes(bytes(b))
    expect_error(lambda: load_checkpoint(p), str(p), 'checksum', exc=CheckpointError)
    p.write_bytes(bytes(b[:100]))
    expect_error(lambda: load_checkpoint(p), str(p), exc=CheckpointError)
def case_leftover_tmp(tmp):
    _run(tmp / 'r', stop=2); (tmp / 'r' / 'checkpoint-last.pt.x1y2.tmp').write_bytes(b'half a checkpoint')
    expect_skip(lambda: _run(tmp / 'r'), 'checkpoint-last.pt.x1y2.tmp')
    assert not list((tmp / 'r').glob('*.tmp'))
def case_log_no_duplicates(tmp):
    "An older checkpoint than the log's last record (a kill between the log write and the save) leaves no duplicate."
    _run(tmp / 'r', stop=2); old = (tmp / 'r' / 'checkpoint-last.pt').read_bytes()
    _run(tmp / 'r', stop=5)
    (tmp / 'r' / 'checkpoint-last.pt').write_bytes(old)
    _run(tmp / 'r')
    steps = [r['step'] for r in read_log(tmp / 'r') if r['kind'] == 'step']
    assert steps == list(range(1, 7)), steps


# ---------------------------------------------------------------- protocols and labels
def case_knn_unlabelled_reported(tmp):
    d = toy_data(n=12, T=6); d.label[:4] = -1
    enc = ToyEncoder(dim=8)
    r = expect_skip(lambda: knn_monitor(enc, d, toy_data(n=4, T=6), k=3), '4 of 12')
    assert r.extra['unlabelled_dropped'] == 4
    d.label[:] = -1
    expect_error(lambda: knn_monitor(enc, d, toy_data(n=4, T=6)), 'knn_monitor', 'no labelled samples')
def case_probe_unlabelled_refused(tmp):
    d = toy_data(n=8, T=6); d.label[:] = -1
    expect_error(lambda: linear_probe(ToyEncoder(dim=8), d, toy_data(n=4, T=6), epochs=1), 'linear_probe', 'needs labels')
def case_probe_unlabelled_test(tmp):
    te = toy_data(n=4, T=6); te.label[1] = -1
    expect_error(lambda: linear_probe(ToyEncoder(dim=8), toy_data(n=8, T=6), te, epochs=1), 'test', 'unlabelled', 'sample 1')


CASES = {k[5:]: v for k, v in sorted(globals().items()) if k.startswith('case_')}


def test_battery_is_big_enough():
    assert len(CASES) >= 30, len(CASES)


@pytest.mark.parametrize('name', sorted(CASES))
def test_bad_input(name, tmp_path):
    CASES[name](tmp_path)
