"Property tests for skellit.ops.transforms: batch == per-sample, padding and absent persons stay zero, dtypes, seeding."
import pytest, torch
import skellit.ops.transforms as T

def _batch(dtype=torch.float32, lengths=(20, 7, 1, 13), seed=0):
    g = torch.Generator().manual_seed(seed)
    B, Tn = len(lengths), max(lengths) + 3
    x = torch.randn(B, 3, Tn, 25, 2, generator=g, dtype=dtype)
    length = torch.tensor(lengths)
    x = T.mask_padding(x, length)
    x[1, ..., 1] = 0                                   # absent second person
    return x, length

RANDOM = [T.RandomCropResize(), T.RandomCropResize(p=0.9, size=10), T.RandomCropResize(p=(0.5, 1), size=8, min_len=3),
          T.RandomTemporalInterpolate(), T.RandomShear(), T.RandomShear(0.3, exclude=(20,)), T.RandomRotation(),
          T.RandomRotation(variant='msmclr'), T.GaussianNoise(p=0.7), T.GaussianBlur(p=0.7),
          T.GaussianBlur(p=1., normalize=True), T.ChannelMask(), T.JointMask(), T.RandomFlip(), T.RandomFlip(negate=0),
          T.RandomJointNoise(), T.RandomJointNoise(n=5), T.RandomPadCrop(), T.RandomTrim(), T.RandomFrameInterpolate(),
          T.RandomScale(), T.RandomJointOffset()]
DETERMINISTIC = [T.BoneStream(), T.MotionStream(), T.MotionStream(backward=True), T.Disentangle()]

@pytest.mark.parametrize('t', RANDOM, ids=repr)
def test_batch_equals_per_sample(t):
    x, length = _batch()
    params = t.sample(x, length, torch.Generator().manual_seed(1))
    y, l = t.apply(x, length, **params)
    for b in range(x.shape[0]):
        yb, lb = t.apply(x[b:b + 1], length[b:b + 1], **{k: v[b:b + 1] for k, v in params.items()})
        assert lb.item() == l[b].item()
        n = int(lb)
        torch.testing.assert_close(yb[0, :, :n], y[b, :, :n])

@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
@pytest.mark.parametrize('t', RANDOM + DETERMINISTIC, ids=repr)
def test_padding_absent_dtype_seed(t, dtype):
    x, length = _batch(dtype)
    y, l = t(x, length, torch.Generator().manual_seed(2))
    assert y.dtype == dtype and l.dtype == torch.long and l.shape == length.shape
    assert torch.isfinite(y).all()
    assert torch.equal(T.mask_padding(y, l), y)
    assert y[1, ..., 1].abs().sum() == 0
    y2, l2 = t(x, length, torch.Generator().manual_seed(2))
    assert torch.equal(y, y2) and torch.equal(l, l2)

def test_errors():
    x, length = _batch()
    with pytest.raises(ValueError, match='p must be'): T.RandomCropResize(p=(0.9, 0.5))
    with pytest.raises(ValueError, match='variant'): T.RandomRotation(variant='foo')
    with pytest.raises(ValueError, match='odd'): T.GaussianBlur(kernel_size=4)
    with pytest.raises(ValueError, match='choose'): T.JointMask(n=30)(x, length)
