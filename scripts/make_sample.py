"""Build samples/sample.docx, the small document the README quick start runs on.

The tables are invented for the purpose (not copied from a seed) and laid out like the
Hebei templates: merged 一级 / 二级 cells, a spacer grid column, a department table with
符号 / 值 / 单位. Some indicators are deliberately weak so that the checks have work.

    python scripts/make_sample.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from tablewriter import write_docx  # noqa: E402

from kpiscore.model import Indicator, Location, Project  # noqa: E402
from kpiscore.values import parse_value  # noqa: E402


def row(level1: str, level2: str, name: str, description: str, value: str, basis: str) -> Indicator:
    return Indicator(level1, level2, name, description, value, basis, parse_value(value), Location())


PLAN = {"3月底": 25.0, "6月底": 50.0, "10月底": 75.0, "12月底": 100.0}

PROJECTS = [
    Project(1, "project", "职业技能培训补贴", Location(), code="13999925P00000000001A",
            budget_wan=120.0, fiscal_wan=120.0, purpose="用于城乡劳动者职业技能培训补贴，按每人1500元标准补贴800人。",
            spending_plan=PLAN, goal="1.全年完成职业技能培训800人次，培训合格率不低于90%。",
            indicators=[
                row("产出指标", "数量指标", "职业技能培训人次", "全年完成补贴性职业技能培训的人次", "≥800人次", "年度培训计划"),
                row("产出指标", "质量指标", "培训合格率", "取得合格证书人数/参训人数×100%", "≥90%", "上年实际91%（历史标准）"),
                row("产出指标", "时效指标", "补贴发放时间", "培训结束至补贴到账的时间", "≤30天", "《职业技能提升补贴管理办法》"),
                row("产出指标", "成本指标", "人均培训补贴", "补贴总额/培训人次", "≤1500元/人", "补贴标准文件"),
                row("效益指标", "社会效益指标", "促进就业", "促进就业", "效果明显", "实际工作需要"),
                row("满意度指标", "服务对象满意度指标", "参训人员满意度", "抽样问卷调查", "≥90%", "问卷调查"),
            ]),
    Project(2, "project", "办公设备运维经费", Location(), code="13999925P00000000002B",
            budget_wan=6.5, fiscal_wan=5.0, other_wan=1.0, purpose="用于机关办公设备维修维护。",
            spending_plan=PLAN, goal="1.保障单位正常运转",
            indicators=[
                row("产出指标", "数量指标", "设备维护台数", "设备维护台数", "≥60台", "设备台账"),
                row("产出指标", "质量指标", "运转保障率", "运转保障率", "≥90 运转保障的程度", "依据县财政预算批复"),
                row("产出指标", "时效指标", "维修及时性", "及时维修", "及时", "实际工作需要"),
                row("产出指标", "成本指标", "运维成本", "运维成本", "≥6.5万元", "预算批复"),
                row("效益指标", "可持续影响指标", "保障单位正常运转", "保障单位正常运转", "维持单位正常运转", "/"),
                row("满意度指标", "服务对象满意度指标", "干部职工满意度", "干部职工满意度", "≥95%", "调查问卷"),
            ]),
]


def main() -> None:
    path = write_docx(PROJECTS, ROOT / "samples" / "sample.docx")
    document = docx.Document(str(path))
    title = document.paragraphs[0].insert_paragraph_before("示例县人力资源和社会保障局2025年部门预算绩效文本")
    title.style = document.styles["Title"]
    document.save(path)
    print("wrote", path)


if __name__ == "__main__":
    main()
