"""Kill-and-resume: a training process killed with SIGKILL at a random point — between steps, or while a checkpoint
is being written — and started again with `resume=True` ends with final weights bitwise equal to an uninterrupted
run, with no duplicate step records in `log.jsonl` and no leftover temporary files.

The training function below runs in a subprocess (`python -c 'import test_kill_resume as t; t.train(...)'`) and, for
the reference, in this process. `SKELLIT_CKPT_SAVE_DELAY` makes `atomic_save` sleep between writing the temporary file
and renaming it, so the test can kill the process in the middle of a checkpoint write."""
import os, random, signal, subprocess, sys, time
from pathlib import Path
import torch

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STEPS = 18          # 3 epochs x 6 steps


def train(out_dir, step_sleep=0.0):
    "A small run with dropout, a random transform and shuffling; a checkpoint after every step (time-based, tiny)."
    from skellit.data import toy_data, make_loader
    from skellit.train.engine import fit, TrainConfig
    from skellit.interface import Supervised
    from skellit.checks import ToyEncoder

    class Slow(Supervised):
        def forward(self, b):
            if step_sleep: time.sleep(step_sleep)
            return super().forward(b)

    torch.manual_seed(0)
    m = Slow(ToyEncoder(dim=16, depth=1, dropout=0.1), num_classes=4)
    dl = make_loader(toy_data(n=24, T=12), batch_size=4, shuffle=True, seed=0)
    noise = lambda x, l, g: (x + 0.01 * torch.randn(x.shape, generator=g, device=x.device), l)
    cfg = TrainConfig(epochs=3, lr=3e-3, warmup_epochs=1, weight_decay=0.05, progress=False, log_every=1,
                      ckpt_every_minutes=1e-9)
    fit(m, dl, cfg, out_dir=out_dir, resume=True, transform=noise)
    return m


def _start(out_dir, step_sleep, save_delay=None):
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(ROOT), str(HERE)]), 'OMP_NUM_THREADS': '1'}
    env.pop('SKELLIT_CKPT_SAVE_DELAY', None)
    if save_delay is not None: env['SKELLIT_CKPT_SAVE_DELAY'] = str(save_delay)
    code = f"import torch; torch.set_num_threads(1); import test_kill_resume as t; t.train({str(out_dir)!r}, {step_sleep})"
    return subprocess.Popen([sys.executable, '-c', code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(cond, proc, timeout=60.0):
    end = time.time() + timeout
    while not cond():
        assert proc.poll() is None, f"training ended before the kill point: {proc.communicate()[1][-2000:]}"
        assert time.time() < end, "timed out waiting for the kill point"
        time.sleep(0.005)


def _kill(proc):
    proc.send_signal(signal.SIGKILL); proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _finish(out_dir):
    "Resume to the end in a fresh process (no sleeps); return its stderr."
    p = _start(out_dir, 0.0)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 0, err[-3000:]
    return err


def _check_same(ref, out_dir):
    from skellit.train.engine import load_checkpoint, read_log
    a, b = load_checkpoint(ref / 'checkpoint-last.pt'), load_checkpoint(out_dir / 'checkpoint-last.pt')
    assert a['state'] == b['state'] == dict(epoch=3, batch=0, step=STEPS)
    for k, v in a['model'].items(): assert torch.equal(v, b['model'][k]), k
    steps = [r['step'] for r in read_log(out_dir) if r['kind'] == 'step']
    assert steps == list(range(1, STEPS + 1)), steps
    assert not list(out_dir.glob('*.tmp'))


def _reference(tmp):
    "The uninterrupted run, in this process with one thread like the subprocesses (thread counts change float sums)."
    ref, n = tmp / 'ref', torch.get_num_threads()
    torch.set_num_threads(1)
    try: train(ref)
    finally: torch.set_num_threads(n)
    return ref


def test_sigkill_at_a_random_point_then_resume_is_bitwise_exact(tmp_path):
    ref = _reference(tmp_path)
    out = tmp_path / 'run'
    delay = random.uniform(0.0, 0.5)
    p = _start(out, step_sleep=0.05)
    _wait_for(lambda: (out / 'checkpoint-last.pt').exists(), p)
    time.sleep(delay)
    _kill(p)
    _finish(out)
    _check_same(ref, out)


def test_sigkill_during_a_checkpoint_write_then_resume_is_bitwise_exact(tmp_path):
    ref = _reference(tmp_path)
    out = tmp_path / 'run'
    p = _start(out, step_sleep=0.0, save_delay=0.5)
    nth = random.randint(2, 8)        # kill inside the nth checkpoint write (the last one already exists then)
    seen = set()
    def in_write():
        seen.update(t.name for t in out.glob('*.tmp'))
        return len(seen) >= nth and list(out.glob('*.tmp'))
    _wait_for(in_write, p)
    _kill(p)
    assert list(out.glob('*.tmp')), "the kill was meant to land inside a checkpoint write"
    err = _finish(out)
    assert '.tmp' in err and 'removed' in err, err[-2000:]      # the leftover is removed and reported
    _check_same(ref, out)
