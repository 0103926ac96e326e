"""scoutkit's sanity checks, seeding and curves, as rendered into a generated project: each check
fails on a deliberately broken model and passes on a healthy one. Torch: marked slow."""

from __future__ import annotations

import importlib.util
import random
import sys

import pytest

from scout.scaffold.templates import render_tree

pytestmark = pytest.mark.slow
torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """The scoutkit modules exactly as `scout new` writes them, loaded from the rendered files."""
    root = tmp_path_factory.mktemp("kit")
    render_tree("helpers", root, {})
    modules = {}
    for name in ("sanity", "plots", "seeding"):
        spec = importlib.util.spec_from_file_location(f"scoutkit_{name}_under_test", root / "scoutkit" / f"{name}.py")
        modules[name] = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # dataclasses look it up
        spec.loader.exec_module(modules[name])
    yield modules
    for module in modules.values():
        sys.modules.pop(module.__name__, None)


def batch(seed: int, n: int = 64):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, 1, 8, 8, generator=generator), torch.randint(0, 10, (n,), generator=generator)


class Healthy(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1),
            nn.BatchNorm2d(8),
            nn.PReLU(8),
            nn.Flatten(),
            nn.Dropout(0.1),
            nn.Linear(8 * 8 * 8, 10),
        )

    def forward(self, x):  # (N, 1, 8, 8) -> (N, 10)
        return self.net(x)


class Detached(Healthy):
    """The backbone's output is cut off from the graph; only a bias still learns."""

    def __init__(self):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, x):
        return self.net(x).detach() + self.bias


class StuckInTrain(Healthy):
    """Dropout hard-wired on: eval() cannot turn it off."""

    def forward(self, x):
        return F.dropout(self.net[:4](x), 0.5, training=True) @ self.net[5].weight.T


class IgnoresEval(Healthy):
    def train(self, mode: bool = True):
        return super().train(True)


class NoModeLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))

    def forward(self, x):
        return self.net(x)


class Exploding(Healthy):
    def __init__(self):
        super().__init__()
        with torch.no_grad():
            self.net[0].weight.mul_(1e6)
        self.net[1] = nn.Identity()  # no batch norm to tame it


class Log(nn.Module):
    def forward(self, x):
        return torch.log(x - 100)  # every input is below 100: NaN


class Dead(Healthy):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
        with torch.no_grad():
            self.net[1].bias.fill_(-1e3)  # every unit below zero: the ReLU outputs only zeros


class IgnoresInput(nn.Module):
    def __init__(self):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, x):
        return self.bias.expand(len(x), 10)


def test_overfit_single_batch(kit):
    sanity = kit["sanity"]
    torch.manual_seed(0)
    healthy = sanity.overfit_single_batch(Healthy(), batch(0))
    assert healthy.passed, str(healthy)
    assert healthy.details["final_loss"] <= 0.05 < healthy.details["first_loss"]
    assert str(healthy).startswith("PASS overfit_single_batch: loss ")

    broken = sanity.overfit_single_batch(Detached(), batch(0), steps=100)
    assert not broken.passed and broken.details["final_loss"] > 1.0
    assert "no gradient reaches 7 parameter tensors (net.0.weight" in broken.message
    assert str(broken).startswith("FAIL overfit_single_batch:")


def test_overfit_reports_a_fully_detached_loss(kit):
    class AllDetached(Healthy):
        def forward(self, x):
            return self.net(x).detach()

    result = kit["sanity"].overfit_single_batch(AllDetached(), batch(0))
    assert not result.passed and "does not depend on any trainable parameter" in result.message


def test_checks_leave_the_callers_model_alone(kit):
    model = Healthy()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.eval()
    kit["sanity"].overfit_single_batch(model, batch(0), steps=20)
    kit["sanity"].train_eval_mode(model, batch(0)[0])
    assert not model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_label_leak(kit):
    sanity = kit["sanity"]
    torch.manual_seed(0)
    healthy = sanity.label_leak(Healthy(), batch(0), batch(1))
    assert healthy.passed, str(healthy)
    assert healthy.details["held_out_accuracy"] >= 0.9 and healthy.details["steps"] < 200

    broken = sanity.label_leak(IgnoresInput(), batch(0), batch(1), steps=50)
    assert not broken.passed and broken.details["held_out_accuracy"] < 0.5
    assert "chance is 0.10" in broken.message


def test_train_eval_mode(kit):
    sanity = kit["sanity"]
    x = batch(0)[0]
    healthy = sanity.train_eval_mode(Healthy(), x)
    assert healthy.passed and healthy.details["max_difference"] > 0, str(healthy)
    assert healthy.details["mode_layers"] == ["net.1", "net.4"]

    stuck = sanity.train_eval_mode(StuckInTrain(), x)
    assert not stuck.passed and "two forward passes in eval mode differ" in stuck.message

    ignores = sanity.train_eval_mode(IgnoresEval(), x)
    assert not ignores.passed and "still train" in ignores.message and "IgnoresEval" in ignores.message

    plain = sanity.train_eval_mode(NoModeLayers(), x)
    assert plain.passed and "no dropout or batch-norm" in plain.message


def test_activation_ranges(kit):
    sanity = kit["sanity"]
    x = batch(0)[0]
    healthy = sanity.activation_ranges(Healthy(), x)
    assert healthy.passed and healthy.details["flagged"] == [], str(healthy)
    assert [row["module"] for row in healthy.details["modules"]][:2] == ["net.0", "net.1"]
    conv = healthy.details["modules"][0]
    assert conv["input"]["min"] == pytest.approx(float(x.min())) and conv["input"]["max"] == pytest.approx(
        float(x.max())
    )

    exploding = sanity.activation_ranges(Exploding(), x)
    assert not exploding.passed and "starts at net.0 (Conv2d): exploding" in exploding.message

    nan_model = Healthy()
    nan_model.net.insert(3, Log())
    nans = sanity.activation_ranges(nan_model, x)
    assert not nans.passed and "starts at net.3 (Log): NaN" in nans.message

    dead = sanity.activation_ranges(Dead(), x)
    assert not dead.passed and "starts at net.2 (ReLU): dead (100% zeros)" in dead.message
    table = sanity.format_ranges(dead)
    assert "net.2" in table.splitlines()[3] and "dead" in table.splitlines()[3]


class Work:
    """A clock that counts the work done instead of timing it, so the verdict cannot depend on how
    busy the machine is: each loaded sample costs 10 units, each training step 1."""

    def __init__(self):
        self.units = 0.0

    def __call__(self) -> float:
        return self.units


class SlowDigits(torch.utils.data.Dataset):
    def __init__(self, work: Work):
        self.work = work

    def __len__(self):
        return 64

    def __getitem__(self, index):
        self.work.units += 10
        return torch.tensor(float(busy_decoding(index))), index % 10


def busy_decoding(index: int) -> int:
    return sum(i * i for i in range(20_000 + index))


def test_profile_data_loading(kit):
    sanity = kit["sanity"]
    work = Work()

    def step(batch):
        work.units += 1

    slow = torch.utils.data.DataLoader(SlowDigits(work), batch_size=8)
    broken = sanity.profile_data_loading(slow, step, batches=3, clock=work)
    assert not broken.passed and broken.details["share"] == pytest.approx(240 / 243)
    assert "loading dominates" in broken.message
    # cProfile ranks by cumulative time, and __getitem__'s includes the busy_decoding it calls.
    assert broken.details["your_functions"][0].startswith("__getitem__ (test_scaffold_sanity.py:")
    assert "busy_decoding (test_scaffold_sanity.py:" in broken.message

    def heavy_step(batch):
        work.units += 100

    healthy = sanity.profile_data_loading([batch(0)] * 3, heavy_step, batches=3, clock=work)
    assert healthy.passed and healthy.details["share"] == 0.0, str(healthy)
    assert "your_functions" not in healthy.details


def test_augmented_grid(kit, tmp_path):
    sanity = kit["sanity"]
    result = sanity.save_augmented_grid(batch(0), tmp_path / "grid.png", count=16)
    assert result.passed and (tmp_path / "grid.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    blank = sanity.save_augmented_grid((torch.zeros(8, 1, 8, 8), torch.zeros(8)), tmp_path / "blank.png")
    assert not blank.passed and "8 of 8 samples are blank" in blank.message


def test_run_all_on_a_healthy_model(kit, tmp_path):
    sanity = kit["sanity"]
    torch.manual_seed(0)
    results = sanity.run_all(Healthy(), [batch(0), batch(1), batch(2)], out_dir=tmp_path, quick=True)
    assert tuple(r.name for r in results) == sanity.CHECKS
    assert all(r.passed for r in results), "\n".join(map(str, results))


def test_plot_curves(kit, tmp_path):
    path = kit["plots"].plot_curves([2.0, 1.0, 0.5], [2.1, 1.3, 0.9], tmp_path / "out" / "curves.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    with pytest.raises(ValueError, match="as many"):
        kit["plots"].plot_curves([1.0], [1.0, 2.0], tmp_path / "bad.png")


def test_seed_everything_repeats_every_generator(kit):
    import numpy as np

    def draw():
        return random.random(), float(np.random.rand()), torch.randn(3).tolist()

    kit["seeding"].seed_everything(7)
    first = draw()
    kit["seeding"].seed_everything(7)
    assert draw() == first
    assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
    torch.use_deterministic_algorithms(False)  # leave the test process as it was
