"""The documentation site: it builds from the notebooks (tools/build_docs.py), every notebook has its page, no internal
link is broken, and in a headless Chromium the front page renders and a notebook page draws its plotly figure."""
import re, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / '_site'
FIGURE_PAGES = ['02_viz']                    # executed in the build; each displays a plotly figure


@pytest.fixture(scope='module')
def site():
    r = subprocess.run([sys.executable, str(ROOT / 'tools' / 'build_docs.py'), '--check', '--only', *FIGURE_PAGES],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    assert 'no broken internal links' in r.stdout
    return SITE


def _chromium():
    exe = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    assert exe, "headless Chromium is needed for the browser check: apt-get install chromium (.ci/run installs it)"
    return exe


def _dom(page: Path) -> str:
    r = subprocess.run([_chromium(), '--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=20000',
                        '--dump-dom', page.as_uri()], capture_output=True, text=True, timeout=180)
    return r.stdout


def test_every_notebook_has_a_page(site):
    for nb in (ROOT / 'nbs').glob('*.ipynb'):
        if nb.name.startswith(('_', '.')) or nb.name == 'index.ipynb': continue
        assert (site / nb.stem / 'index.html').exists(), f"no page for {nb.name}"
    assert any((site / 'api').iterdir()), "no API reference pages"


def test_front_page_renders_in_a_browser(site, tmp_path):
    dom = _dom(site / 'index.html')
    assert '<h1' in dom and 'skellit' in dom and 'Quick start' in dom, dom[:500]
    shot = tmp_path / 'front.png'
    subprocess.run([_chromium(), '--headless', '--no-sandbox', '--disable-gpu', '--window-size=1200,900',
                    f'--screenshot={shot}', (site / 'index.html').as_uri()], capture_output=True, timeout=180)
    assert shot.exists() and shot.stat().st_size > 20_000, "the front page screenshot is missing or blank"


@pytest.mark.parametrize('page', FIGURE_PAGES)
def test_notebook_page_draws_its_plotly_figure(site, page):
    dom = _dom(site / page / 'index.html')
    assert 'js-plotly-plot' in dom and re.search(r'class="[^"]*main-svg', dom), \
        f"{page}: the plotly figure did not render (plotly.js not loaded before the figure?)"
