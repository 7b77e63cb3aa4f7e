"ONNX round trip of every registered method's encoder (smoke-sized demo preset): dynamic batch, onnxruntime == PyTorch."
import pytest, torch
import skellit.experiment  # noqa: F401  (registers every method)
from skellit.data import DataSpec
from skellit.train.registry import RECIPES, get_recipe, get_method, smoke_version, build_pretext
from skellit.train.export import export_onnx

METHODS = sorted({m for m, p in RECIPES if p == 'demo'})


@pytest.mark.parametrize('method', METHODS)
def test_encoder_exports_to_onnx(method, tmp_path):
    torch.manual_seed(0)
    recipe = smoke_version(get_recipe(method, 'demo'), get_method(method).model_keys)
    spec = DataSpec(num_classes=4, max_len=32)
    model = build_pretext(recipe, spec)
    frames = recipe.data.num_frames or min(recipe.data.max_frames or 32, 32)
    r = export_onnx(model.encoder, spec, tmp_path / f'{method}.onnx', frames=frames)
    assert (tmp_path / f'{method}.onnx').stat().st_size > 1000
    assert r['max_abs_diff'] is not None and r['max_abs_diff'] < 1e-4
