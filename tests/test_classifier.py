"""The classifier: its features, how it combines with the rules, its file on disk, the
findings it adds to `check`, and that `kpiscore train` reproduces the committed model."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import skops.io
from typer.testing import CliRunner

from conftest import REPO, SEEDS, seed_path
from kpiscore.classifier import blend, features, store
from kpiscore.classifier.pipeline import probabilities
from kpiscore.cli import app
from kpiscore.errors import InputError
from kpiscore.review import review
from kpiscore.rules import Context, run

runner = CliRunner()


def test_domain_words_stay_whole():
    assert {"创业担保贷款", "代偿率"} <= set(features.words("创业担保贷款代偿率"))
    assert features.words("服务对象满意度≥90%") == ("服务对象满意度", "90%")


def test_feature_rows_carry_kinds_shape_and_rule_flags(seeds):
    document = seeds["001"]
    table = features.rows(document, run(Context(document)))
    assert len(table) == document.indicator_count
    first = table.iloc[0]  # 001#1 row 1: 办公取暖费支付的比例 | ≥90 用于办公取暖正常运行工作开展的程度
    assert (first["project"], first["row"], first["level2_kind"]) == (1, 1, "数量")
    assert first["rule VAL-02"] == 1 and first["rule VAL-11"] == 1 and first["rule VAL-06"] == 0
    assert first["has_number"] == 1 and 0 < first["value_is_name"] <= 1
    repeated = table[table["name"] == "提高效率"]  # a template pasted into many of 001's tables
    assert len(repeated) > 3 and (repeated["name_repeats"] > 0).all()


@pytest.mark.parametrize("source,expected", [
    ("rules", {1, 2}), ("model", {2, 3}), ("either", {1, 2, 3}), ("both", {2}),
])
def test_a_combination_selects_rows_by_its_source(source, expected):
    probability = pd.Series({1: 0.1, 2: 0.9, 3: 0.7, 4: 0.2})
    assert blend.selected(blend.Choice(source, 0.6), {1, 2}, probability) == expected


def test_choose_keeps_the_rules_unless_the_model_measures_better():
    probability = pd.Series({1: 0.9, 2: 0.8, 3: 0.1})
    assert blend.choose({1, 2}, {1, 2}, probability, [0.5]).source == "rules"
    assert blend.choose({1, 2}, {1}, probability, [0.5]) in (blend.Choice("either", 0.5),
                                                          blend.Choice("model", 0.5))
    # F1 1.0 against the rules' 0.67: not enough when the gain must be 0.5
    assert blend.choose({1, 2}, {1}, probability, [0.5], min_gain=0.5).source == "rules"


@pytest.fixture(scope="module")
def speaking() -> store.TrainedModel:
    """The shipped pipeline combined as "either" at 0.5 in every category, so that it adds
    findings whatever combination `kpiscore train` chose for the shipped model."""
    shipped = store.default()
    return replace(shipped, choices={c: blend.Choice("either", 0.5) for c in shipped.categories})


def test_model_findings_say_they_come_from_the_model(seeds, speaking):
    model = speaking
    result = review(seeds["000"], model=model)
    learnt = [f for f in result.findings if f.source == "model"]
    assert learnt
    for finding in learnt:
        choice = model.choices[finding.category]
        assert choice.source in ("model", "either") and finding.probability >= choice.threshold
        assert finding.rule == f"ML-{finding.category}" and finding.words
        assert f"概率 {finding.probability:.2f}" in finding.message
        assert finding.to_dict()["words"] == list(finding.words)
    plain = review(seeds["000"])
    assert not [f for f in plain.findings if f.source == "model"]


def test_a_category_left_to_the_rules_keeps_its_findings(seeds, speaking):
    model = replace(speaking, choices={**speaking.choices, "WEAK_BASIS": blend.Choice("rules")})
    weak = lambda result: [f for f in result.findings if f.category == "WEAK_BASIS"]
    assert weak(review(seeds["000"], model=model)) == weak(review(seeds["000"]))
    assert weak(review(seeds["000"], model=model))


def test_no_model_and_select_decide_whether_the_model_speaks(speaking, monkeypatch):
    monkeypatch.setattr("kpiscore.batch._model", lambda: speaking)
    seed = str(seed_path("000"))
    sources = lambda args: {f["source"] for p in json.loads(runner.invoke(
        app, ["check", seed, "-f", "json", *args]).stdout)["projects"]
        for i in p["indicators"] for f in i["findings"]}
    assert sources([]) == {"rule", "model"}
    assert sources(["--no-model"]) == {"rule"}
    assert sources(["--select", "ML"]) == {"model"}
    assert sources(["--select", "VAL-11"]) == {"rule"}


def test_the_model_reads_every_rule_whatever_the_selection(seeds, speaking):
    """With --select ML no rule finding is reported, but the model must still see which rules
    fired: every model finding of the full run comes back with the same probability."""
    from kpiscore.rules import select

    model, document = speaking, seeds["001"]
    chosen, learnt = select(["ML"], [], [(f"ML-{c}", c) for c in model.categories])
    assert chosen == [] and learnt == set(model.categories)
    only_model = {(f.project, f.row, f.category): f.probability
                  for f in review(document, chosen, model, learnt).findings}
    full = [f for f in review(document, model=model).findings if f.source == "model"]
    assert full and all(only_model.get((f.project, f.row, f.category)) == f.probability for f in full)


def _copy_model(tmp_path):
    folder = tmp_path / "models"
    shutil.copytree(REPO / "models", folder)
    return folder


def test_a_model_for_other_features_is_refused(tmp_path):
    folder = _copy_model(tmp_path)
    meta = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    (folder / "indicators.json").write_text(json.dumps({**meta, "features": 999}), encoding="utf-8")
    with pytest.raises(InputError, match="模型按特征 v999 训练，本版 kpiscore 计算的是 v"):
        store.load(folder)


def test_a_model_for_another_scikit_learn_is_refused(tmp_path):
    folder = _copy_model(tmp_path)
    meta = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    (folder / "indicators.json").write_text(json.dumps({**meta, "scikit-learn": "0.1.0"}), encoding="utf-8")
    with pytest.raises(InputError, match="模型用 scikit-learn 0.1.0 训练，已安装的是 .*：请重新运行 `kpiscore train`"):
        store.load(folder)


def test_a_model_file_with_untrusted_types_is_refused(tmp_path):
    folder = _copy_model(tmp_path)
    skops.io.dump({"run": shutil.rmtree}, folder / "indicators.skops")
    model = store.load(folder)  # the shipped model leaves every category to the rules
    with pytest.raises(InputError, match="模型文件含有 kpiscore 不信任的类型 shutil.rmtree："):
        model.pipeline
    speaking = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    speaking["choices"]["ECHO"] = {"source": "either", "threshold": 0.5}
    (folder / "indicators.json").write_text(json.dumps(speaking), encoding="utf-8")
    with pytest.raises(InputError, match="模型文件含有 kpiscore 不信任的类型 shutil.rmtree："):
        store.load(folder)  # a model that speaks is read, and refused, up front


def test_a_missing_model_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setattr("kpiscore.batch._model", lambda: store.load(tmp_path))
    result = runner.invoke(app, ["check", str(seed_path("004"))])
    assert result.exit_code == 2
    assert result.output.strip() == (f"kpiscore: {tmp_path / 'indicators.skops'}: 这里没有训练好的模型："
                                     "请运行 `kpiscore train`，或用 --no-model 检查")


def test_train_reproduces_the_committed_model(tmp_path, seeds):
    if not SEEDS.exists():
        pytest.skip("seeds not available")
    result = runner.invoke(app, ["train", "--labels", str(REPO / "labels"), "--seeds", str(SEEDS),
                                 "-o", str(tmp_path)], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "combined" in result.stdout and "macro" in result.stdout
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "| **macro average** |" in card and "leave-one-publisher-out" in card
    trained, shipped = store.load(tmp_path), store.default()
    assert trained.choices == shipped.choices
    document = seeds["001"]
    table = features.rows(document, run(Context(document)))
    np.testing.assert_allclose(probabilities(trained.pipeline, table, trained.categories),
                               probabilities(shipped.pipeline, table, shipped.categories), atol=1e-9)
    assert card == (REPO / "models" / "README.md").read_text(encoding="utf-8")
