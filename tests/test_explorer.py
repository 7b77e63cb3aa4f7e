"""The explorer: the figures of one sample for a run directory written by the driver (the method's own figures and
the views its hooks offer, a note for the others), and the widget built over runs found on disk, reacting to its
sample slider and run selector."""
import contextlib, io
from pathlib import Path
import pytest
import plotly.graph_objects as go
from skellit.data import toy_data
from skellit.experiment import pretrain_and_compare
from skellit.explorer import sample_figures, explore, find_runs, Explorer


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp('runs')
    tr, te = toy_data(n=20, T=16, num_classes=3, seed=0), toy_data(n=8, T=16, num_classes=3, seed=1)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for m in ('mamp', 'supervised'):
            pretrain_and_compare(m, 'demo', (tr, te), protocols='knn', out_dir=root / 'cmp' / m / 'seed-0', baselines=(), smoke=True, progress=False)
    return root, te


def test_sample_figures_of_a_run(runs):
    root, te = runs
    f = sample_figures(root / 'cmp' / 'mamp' / 'seed-0', te, 2, seed=1)
    assert list(f) == ['skeleton', 'masks', 'prediction', 'attention']                  # MAMP's own figures
    assert len(f['skeleton'].frames) == int(te.length[2]) and f['skeleton'].layout.title.text == 'toy[2]'
    assert all(isinstance(v, go.Figure) for v in f.values()) and len(f['masks'].data) == 2
    g = sample_figures(root / 'cmp' / 'supervised' / 'seed-0', te, 2)
    assert isinstance(g['prediction'], go.Figure) and abs(sum(g['prediction'].data[0].y) - 100) < 1e-3
    assert g['masks'] == 'supervised/demo offers no masks view (no figures entry, none of: mask_figure, masks)'
    again = sample_figures(root / 'cmp' / 'mamp' / 'seed-0', te, 2, seed=1)
    assert again['masks'].data[0].z.tolist() == f['masks'].data[0].z.tolist()              # seeded views repeat
    with pytest.raises(IndexError, match='outside the 8 samples'): sample_figures(root / 'cmp' / 'mamp' / 'seed-0', te, 8)


def test_widget_over_runs_on_disk(runs):
    root, te = runs
    assert list(find_runs(root / 'cmp')) == ['mamp/seed-0', 'supervised/seed-0']
    with contextlib.redirect_stdout(io.StringIO()):
        ex = explore(te, root / 'cmp')
    assert isinstance(ex, Explorer) and ex.run.options == ('mamp/seed-0', 'supervised/seed-0') and ex.sample.max == 7
    assert list(ex.figures) == ['skeleton', 'masks', 'prediction', 'attention'] and ex.notes.value == ''
    assert ex.widget.children[0].children == (ex.run, ex.sample)
    ex.sample.value = 4
    assert ex.figures['skeleton'].layout.title.text == 'toy[4]'
    ex.run.value = 'supervised/seed-0'
    assert isinstance(ex.figures['prediction'], go.Figure) and 'offers no masks view' in ex.notes.value
    (root / 'empty').mkdir()
    with pytest.raises(ValueError, match='no run directories'): explore(te, root / 'empty')
