"""The agreement figures that README.md and REPORT.md state are the shipped model's own."""

from __future__ import annotations

import json
import re
from pathlib import Path

from assessor.scoring.aggregate import DEFAULT_MODEL_PATH

ROOT = Path(__file__).resolve().parents[1]
MODEL = json.loads(DEFAULT_MODEL_PATH.read_text())
METRICS = MODEL["metrics"]
HEADLINE = ("gug_dev_mean", "ellipse_lopo_grammar", "ellipse_lopo_overall")


def _r(name: str) -> float:
    return METRICS[name]["pearson"]


def test_the_readme_names_the_shipped_model_and_its_figures():
    readme = (ROOT / "README.md").read_text()
    (section,) = re.findall(r"\*\*Agreement with human raters\*\*.*?\n\n", readme, re.S)
    assert f"model `{MODEL['version']}`" in section
    with_lm = [f"**{_r(name + '_lm'):.4f}**" for name in HEADLINE]
    plain = [f"{_r(name):.4f}" for name in HEADLINE]
    assert all(figure in section for figure in with_lm), (with_lm, section)
    assert f"{plain[0]}, {plain[1]} and {plain[2]}" in section


def test_the_report_gives_the_shipped_figures():
    report = (ROOT / "assessor/scoring/models/REPORT.md").read_text()
    assert report.startswith(f"# {MODEL['version']}: validation report")
    for name in HEADLINE:
        assert f"**{_r(name + '_lm'):.4f}**" in report, name
