"""The package's layers: every module imports only modules of notebooks numbered before its own (so there is no
cycle and no upward import), no skellit import hides inside a function, and no notebook imports a module exported by
a notebook numbered after it."""
import ast, json, re
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / 'skellit'


def _modules() -> dict:
    "module name -> (notebook number, path) for every exported module."
    out = {}
    for p in PKG.rglob('*.py'):
        if p.name in ('__init__.py', '_modidx.py'): continue
        m = re.search(r'File to edit: [./]*nbs/(\d+)_\w+\.ipynb', p.read_text())
        assert m, f"{p} is not generated from a numbered notebook"
        out['skellit.' + '.'.join(p.relative_to(PKG).with_suffix('').parts)] = (int(m.group(1)), p)
    return out


MODS = _modules()


def _imports(tree, name):
    "(imported skellit module, is_function_local) for every import in a module's AST."
    pkg = name.rsplit('.', 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split('.')[:len(pkg.split('.')) - node.level + 1]
                mod = '.'.join(base + ([node.module] if node.module else []))
            else: mod = node.module or ''
            targets = [mod] + [f'{mod}.{a.name}' for a in node.names]
        elif isinstance(node, ast.Import): targets = [a.name for a in node.names]
        else: continue
        for t in targets:
            if t in MODS: yield t, node
    return


def _local_nodes(tree):
    return {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
            for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}


@pytest.mark.parametrize('name', sorted(MODS))
def test_module_imports_only_lower_layers(name):
    num, path = MODS[name]
    tree = ast.parse(path.read_text())
    local = _local_nodes(tree)
    for target, node in _imports(tree, name):
        assert id(node) not in local, f"{name}: function-local import of {target} (line {node.lineno}); import it at the top"
        assert MODS[target][0] < num, f"{name} (notebook {num:02d}) imports {target} (notebook {MODS[target][0]:02d}): upward import"


def test_layer_order_of_the_folders():
    "skeleton -> data -> io -> ops -> interface/checks -> train -> methods -> experiment -> cli, by notebook number."
    order = ['skellit.skeleton', 'skellit.data', 'skellit.io.', 'skellit.ops.', 'skellit.interface', 'skellit.checks',
             'skellit.train.', 'skellit.methods.', 'skellit.experiment', 'skellit.cli']
    ranges = [[MODS[m][0] for m in MODS if m == p or (p.endswith('.') and m.startswith(p))] for p in order]
    for (a, ra), (b, rb) in zip(zip(order, ranges), zip(order[1:], ranges[1:])):
        assert ra and rb and max(ra) < min(rb), f"notebooks of {a} must all be numbered before those of {b}"


NB_MOD = {int(re.match(r'(\d+)_', p.name).group(1)): p for p in (ROOT / 'nbs').glob('[0-9]*.ipynb')}


@pytest.mark.parametrize('num', sorted(NB_MOD))
def test_notebook_imports_only_earlier_notebooks(num):
    nb = json.loads(NB_MOD[num].read_text())
    src = '\n'.join(''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'code')
    for m in re.findall(r'^\s*(?:from|import)\s+(skellit(?:\.\w+)*)', src, re.M):
        if m == 'skellit': continue            # the package itself (__version__)
        hits = [mm for mm in MODS if mm == m or mm.startswith(m + '.')]
        for h in hits:
            assert MODS[h][0] <= num, f"{NB_MOD[num].name} imports {h}, exported by notebook {MODS[h][0]:02d}"
