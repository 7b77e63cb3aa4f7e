#!/usr/bin/env python3
"""Wall-clock time of the README's main job (`papermill nbs/run_mamp.ipynb out.ipynb`, the default run), measured as a
user runs it, with the stage times the run itself records in metrics.json.

    python benchmarks/runtime.py                       # the default run, all cores
    python benchmarks/runtime.py --cpus 0,1            # pinned to two cores (taskset), as the README's number
    python benchmarks/runtime.py --runner run_skeleton_mae --json benchmarks/results/runtime.json
    python benchmarks/runtime.py --smoke               # seconds: checks the script itself

Measure on an otherwise idle machine (other processes on the same cores lengthen every stage). Prints the command,
the total wall time (including papermill's and Python's start), the run's own stage seconds and its results table.
"""
import argparse, json, os, platform, shutil, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--runner', default='run_mamp', help='runner notebook in nbs/ (default run_mamp)')
    ap.add_argument('--cpus', default='', help="pin to these cores with taskset, e.g. '0,1' for a 2-core measurement")
    ap.add_argument('--out', default='', help='run directory (default: a temporary one, removed afterwards)')
    ap.add_argument('--smoke', action='store_true', help='-p smoke True (checks the script, measures nothing useful)')
    ap.add_argument('--json', default='', help='also write the numbers to this JSON file')
    a = ap.parse_args(argv)
    tmp = None if a.out else tempfile.mkdtemp(prefix='skellit-runtime-')
    out = Path(a.out or tmp); out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, '-m', 'papermill', str(ROOT / 'nbs' / f'{a.runner}.ipynb'), str(out / 'out.ipynb'),
           '-p', 'out_dir', str(out / 'run'), '--cwd', str(ROOT / 'nbs')]
    if a.smoke: cmd += ['-p', 'smoke', 'True']
    if a.cpus:
        if not shutil.which('taskset'): sys.exit('--cpus needs taskset (util-linux)')
        cmd = ['taskset', '-c', a.cpus] + cmd
    env = dict(os.environ); env.pop('IN_TEST', None)
    print('$', ' '.join(cmd), flush=True)
    t0 = time.time()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.time() - t0
    if r.returncode: print(r.stderr[-3000:], file=sys.stderr); return r.returncode
    m = json.loads((out / 'run' / 'metrics.json').read_text())
    cpus = len(a.cpus.split(',')) if a.cpus else os.cpu_count()
    env_file = out / 'run' / 'env.json'
    res = dict(runner=a.runner, smoke=a.smoke, wall_seconds=round(wall, 1), cores=cpus, cpu=platform.processor() or platform.machine(),
               torch_threads=json.loads(env_file.read_text()).get('threads') if env_file.exists() else None, stage_seconds={k: round(v, 1) for k, v in m.get('seconds', {}).items()},
               results={p: {v: round(x['top1'], 2) for v, x in d.items() if isinstance(x, dict) and x.get('top1') is not None}
                        for p, d in m.get('results', {}).items()})
    print(f"wall time: {wall:.0f} s ({wall / 60:.1f} min) on {cpus} cores, {res['torch_threads']} torch threads")
    for k, v in res['stage_seconds'].items(): print(f'  {k:<28} {v:8.1f} s')
    for p, d in res['results'].items(): print(f'  {p:<12}', '  '.join(f'{v} {x:.1f} %' for v, x in d.items()))
    if a.json: Path(a.json).parent.mkdir(parents=True, exist_ok=True); Path(a.json).write_text(json.dumps(res, indent=1))
    if tmp: shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__': sys.exit(main())
