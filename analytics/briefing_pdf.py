"""The township briefing as an A4 PDF (fpdf2): ``briefing_pdf`` assembles the briefing
(analytics.briefing.township_briefing) and ``render_pdf`` draws it, the Chinese font
(analytics.briefing_fonts) embedded as a subset. It draws what the ``Briefing`` holds and
computes nothing of its own, so the tests check the figures on the dataclass and only
their presence in the PDF.
"""

from __future__ import annotations

import math
import re

from analytics import guarantees, village_targets
from analytics.briefing import Briefing, KeyFigure, township_briefing
from analytics.briefing_commitments import PlanCommitments
from analytics.briefing_fonts import CJKFont, find_cjk_font
from analytics.config import load_config

CONFIDENTIAL = "内部资料 注意保密"

FAMILY = "cjk"
RED = (192, 41, 30)
GREEN = (30, 120, 60)
GREY = (110, 110, 110)
AMBER = (170, 100, 0)
HEAD_FILL = (232, 236, 241)
MAX_NAMED_VILLAGES = 10  # villages named in a line of 帮扶与保障; the rest counted
MAX_MEASURES = 5  # measures named in 一户一策; the rest counted
VERDICT_COLOURS = {"met": GREEN, "missed_late": AMBER, "missed": RED}
#: Chinese line-breaking rule (禁则): these never start a line …
NO_LINE_START = "）)】」』》〉”’。．.，,、；;：:！!？?…%％·"
#: … and these never end one.
NO_LINE_END = "（(【「『《〈“‘"
#: A number or a Latin word (35,513 / 2.5% / 6211) is not split across lines.
_TOKENS = re.compile(r"\*\*|[0-9A-Za-z][0-9A-Za-z.,%+/]*|.", re.S)


def wrap_lines(text: str, width: float, measure, markdown: bool = False) -> str:
    """``text`` with a line break wherever a line of ``width`` is full, by the Chinese
    rule: no line starts with a closing mark (``NO_LINE_START``, as ）or 。) nor ends with
    an opening one (``NO_LINE_END``): the character before moves down with it. Numbers
    stay whole. ``measure(token, bold)`` is a token's width; with ``markdown`` ``**``
    toggles bold (as in fpdf2) and is kept. Spaces at a line's start are dropped."""
    lines, line, used, bold = [], [], 0.0, False
    for token in _TOKENS.findall(text):
        if token == "**" and markdown:
            bold = not bold
            line.append((token, 0.0))
            continue
        if token == "\n":
            lines.append(line)
            line, used = [], 0.0
            continue
        size = measure(token, bold)
        if used + size > width and any(w for _, w in line):
            carry = []
            if token[0] in NO_LINE_START:  # pull the last character down with it
                while line and (not line[-1][1] or line[-1][0][0] in NO_LINE_START):
                    carry.insert(0, line.pop())
                if line:
                    carry.insert(0, line.pop())
            while line and (not line[-1][1] or line[-1][0][-1] in NO_LINE_END):
                carry.insert(0, line.pop())
            if not any(w for _, w in line):  # nowhere to break by the rule: break here
                line, carry = line + carry, []
            lines.append(line)
            line = carry
            used = sum(w for _, w in line)
        if token == " " and not any(w for _, w in line):
            continue
        line.append((token, size))
        used += size
    lines.append(line)
    return "\n".join("".join(t for t, _ in line) for line in lines)


def _fmt(value, unit: str, signed: bool = False) -> str:
    if value is None:
        return "—"
    sign = "+" if signed and value != 0 else ""
    if unit == "%":
        return f"{value:{sign}.2f}" + (" 个百分点" if signed else "%")
    if unit == "元":
        return f"{value:{sign},.0f} 元"
    return f"{value:{sign},.0f} {unit}"


def _mark(k: KeyFigure, year: int) -> str:
    """达标 / 未达标; for a dated target, ``2017年评判`` before its year and ``2017年未达标``
    after it (the row's value is this year's, the verdict its own year's)."""
    if k.judgement is not None and k.judgement.state == "pending":
        return f"{k.judgement.target_year}年评判"
    if k.met is None:
        return "—"
    word = "达标" if k.met else "未达标"
    if k.judgement is not None and k.judgement.target_year != year:
        return f"{k.judgement.target_year}年{word}"
    return word


def _section(pdf, text: str, keep: float = 0) -> None:
    """A section title; on a new page when less than ``keep`` mm (besides the title)
    would follow it on this one."""
    if keep and pdf.will_page_break(10 + keep):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 12.5)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)


def _pct(value, decimals: int = 1) -> str:
    """A share cut (not rounded) to ``decimals``, as on the pages (ui.format.fmt_share):
    99.96 % reads 99.9 %, never 100 % while something is missing."""
    if value is None or value != value:
        return "—"
    scale = 10 ** decimals
    return f"{math.floor(value * scale) / scale:.{decimals}f}%"


def _villages(gaps, page: str, limit: int = MAX_NAMED_VILLAGES) -> str:
    """Village names with what is missing: 华川村（通水泥路）、…, the rest counted."""
    named = "、".join(f"{g.name}（{g.missing}）" for g in gaps[:limit])
    rest = len(gaps) - limit
    return named + (f"；另有 {rest} 个村未列出，见系统“{page}”页" if rest > 0 else "")


def _commitment_lines(c: PlanCommitments, year: int) -> list[tuple[str, str]]:
    """The 帮扶与保障 items as (label, text), in the plan's order, except the two tables
    (两不愁三保障 and the village targets), which ``_draw_commitments`` draws."""
    lines = []
    if not c.households_recorded:
        lines.append(("一户一策", f"{year}年本乡镇无建档立卡户数据。"))
    else:
        if c.poor_households:
            text = (f"未脱贫户 {c.poor_households:,} 户，有帮扶措施 {c.poor_households_with_measure:,} 户"
                    f"（{_pct(c.measure_coverage_pct)}），"
                    + (f"尚无措施 {c.without_measure:,} 户。" if c.without_measure else "每户都有措施。"))
        else:
            text = f"{year}年底无未脱贫户。"
        if c.measures:
            shown = "、".join(f"{m.measure} {m.households:,} 户" for m in c.measures[:MAX_MEASURES])
            more = f"等 {len(c.measures)} 项" if len(c.measures) > MAX_MEASURES else ""
            text += f"{year}年实施措施的户（含已脱贫户）：{shown}{more}。"
        else:
            text += f"{year}年无帮扶措施记录。"
        for plan in c.county_plans:
            county = ("" if plan.county_households is None else
                      f"，全县已实施 {plan.county_households:,} 户（完成 {_pct(plan.county_done_pct)}）")
            text += (f"全县计划{year}年{plan.measure} {plan.planned:,.0f} 户（全县指标，未分解到乡镇）"
                     f"{county}，本乡镇 {plan.township_households:,} 户。")
        lines.append(("一户一策", text))
        if c.poor_households:
            lines.append(("双联结对（8741）",
                          f"未脱贫户有帮扶责任人 {c.poor_households_with_cadre:,}/{c.poor_households:,} 户"
                          f"（{_pct(c.cadre_coverage_pct)}）。"))
    if not c.support_recorded:
        lines.append(("驻村帮扶", f"{year}年无驻村帮扶记录。"))
    else:
        text = (f"贫困村 {c.support_villages} 个，两个全覆盖达标 {c.support_met} 个（有帮扶单位、"
                f"有驻村工作队、每月驻村不少于 {c.days_minimum:g} 天）")
        text += (f"；未达标：{_villages(c.support_not_met, '帮扶措施')}。" if c.support_not_met else "，全部达标。")
        lines.append(("驻村帮扶", text))
    if c.households_recorded:
        text = f"一类低保 {c.dibao1_households:,} 户，二类低保 {c.dibao2_households:,} 户"
        if c.poor_households:
            text += (f"；未脱贫户中纳入低保 {c.poor_dibao_households:,} 户，"
                     f"占 {_pct(c.poor_dibao_pct)}")
        lines.append(("低保兜底", text + "。"))
    return lines


def _label_line(pdf, width: float, label: str, text: str) -> None:
    from fpdf.enums import WrapMode

    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(width, 5.8, f"**{label}**　{text}", markdown=True, align="L", new_x="LMARGIN",
                   new_y="NEXT", wrapmode=WrapMode.CHAR)


def _note(pdf, width: float, text: str) -> None:
    from fpdf.enums import WrapMode

    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(width, 4.4, text, align="L", new_x="LMARGIN", new_y="NEXT",
                   wrapmode=WrapMode.CHAR)
    pdf.set_text_color(0)
    pdf.set_font(FAMILY, "", 10)


def _draw_commitments(pdf, b: Briefing, width: float, heading) -> None:
    """Section 六、帮扶与保障 (analytics.briefing_commitments)."""
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    c = b.commitments
    _section(pdf, "六、帮扶与保障", keep=30)
    for label, text in _commitment_lines(c, b.year):
        _label_line(pdf, width, label, text)

    # 两不愁三保障: a row per state, a column per guarantee
    if c.guarantees and c.guarantees[0].persons:
        persons = c.guarantees[0].persons
        unmet = (f"，有未达标项 {c.households_any_unmet:,} 户（名单见系统“保障与设施”页）"
                 if c.households_any_unmet else "")
        _label_line(pdf, width, "两不愁三保障", f"建档立卡人口 {persons:,} 人{unmet}。")
        rows = [("达标占比", [_pct(g.met_pct) for g in c.guarantees]),
                # nothing recorded: no count of unmet either (not "0 人")
                ("未达标", [f"{g.unmet:,} 人" if g.met + g.unmet else "—" for g in c.guarantees])]
        if any(g.unknown for g in c.guarantees):
            rows.append(("未记录", [f"{g.unknown:,} 人" if g.unknown else "—" for g in c.guarantees]))
        pdf.set_font(FAMILY, "", 9.5)
        rest = (width - 22) / len(c.guarantees)
        with pdf.table(col_widths=(22, *([rest] * len(c.guarantees))),
                       text_align=("LEFT", *(["RIGHT"] * len(c.guarantees))), headings_style=heading,
                       line_height=5.2, wrapmode=WrapMode.CHAR, width=width) as table:
            header = table.row()
            header.cell("")
            for g in c.guarantees:
                header.cell(g.label)
            for title, cells in rows:
                r = table.row()
                r.cell(title)
                for text in cells:
                    r.cell(text)
        pdf.set_font(FAMILY, "", 10)
        if len(rows) > 2:
            _note(pdf, width, f"注：{guarantees.UNKNOWN_NOTE}。")
        pdf.ln(1)
    elif c.households_recorded:
        _label_line(pdf, width, "两不愁三保障", "无建档立卡人口。")

    # 基础设施与村级资金
    if not c.targets:
        _label_line(pdf, width, "基础设施与村级资金", f"{b.year}年无应达标的村或无村级台账数据。")
    else:
        met = sum(t.verdict in ("met", "missed_late") for t in c.targets)
        missed = sum(t.verdict == "missed" for t in c.targets)
        pending = sum(t.verdict is None for t in c.targets)
        _label_line(pdf, width, "基础设施与村级资金",
                    f"{len(c.targets)} 项目标：已达标 {met} 项，到期未达标 {missed} 项"
                    + (f"，期限未到 {pending} 项" if pending else "") + f"。{village_targets.UNKNOWN_NOTE}。")
        unknown = any(t.unknown for t in c.targets)
        titles = ("目标", "应达标村", "已达标", "未达标", *(("未记录",) if unknown else ()), "判定")
        widths = (width - 92 - (16 if unknown else 0), 18, 16, 16, *((16,) if unknown else ()), 42)
        pdf.set_font(FAMILY, "", 9.5)
        with pdf.table(col_widths=widths, text_align=("LEFT", *(["RIGHT"] * (len(titles) - 2)), "CENTER"),
                       headings_style=heading, line_height=5.2, wrapmode=WrapMode.CHAR,
                       width=width) as table:
            header = table.row()
            for text in titles:
                header.cell(text)
            for t in c.targets:
                r = table.row()
                r.cell(t.requirement)
                r.cell(f"{t.villages} 个")
                r.cell(str(t.met))
                r.cell(str(t.unmet))
                if unknown:
                    r.cell(str(t.unknown))
                colour = VERDICT_COLOURS.get(t.verdict, GREY)
                r.cell(t.verdict_text, style=FontFace(color=colour, emphasis="BOLD" if t.verdict else None))
        pdf.set_font(FAMILY, "", 10)
        pdf.ln(1)
        if c.villages_not_met:
            pdf.multi_cell(width, 5.8, f"有未达标项的村（{len(c.villages_not_met)} 个）："
                           f"{_villages(c.villages_not_met, '保障与设施')}。", align="L",
                           new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)

    # 回头看
    if c.change_sentence:
        _label_line(pdf, width, "回头看",
                    f"{c.change_sentence}新识别 {c.new_households:,} 户 {c.new_persons:,} 人，"
                    f"自然减少 {c.removed_households:,} 户 {c.removed_persons:,} 人。")
    else:
        _label_line(pdf, width, "回头看", c.change_note)
    _note(pdf, width, "注：各项为本乡镇数据（全县计划另行注明）；无措施户、未达标户名单见系统“帮扶措施”"
                      "“保障与设施”页，本简报不含个人信息。")


def _pdf_class():
    from fpdf import FPDF

    class BriefingPDF(FPDF):
        footer_text = ""

        def multi_cell(self, w, h=None, text="", *args, **kwargs):
            """fpdf2's character wrapping breaks anywhere, so a line could start with ）or
            。: the text is broken here by ``wrap_lines`` first, to the width fpdf2 fills."""
            from fpdf.enums import WrapMode
            from fpdf.util import Padding

            if text and WrapMode.coerce(kwargs.get("wrapmode", WrapMode.WORD)) == WrapMode.CHAR:
                padding = Padding.new(kwargs.get("padding", 0))
                room = (w or self.w - self.r_margin - self.x) - padding.left - padding.right
                room -= (0 if padding.left else self.c_margin) + (0 if padding.right else self.c_margin)
                markdown = kwargs.get("markdown", False)

                def measure(token: str, bold: bool) -> float:
                    if markdown and bold:
                        return self.get_string_width(f"**{token}**", markdown=True)
                    return self.get_string_width(token)

                text = wrap_lines(text, room - 0.05, measure, markdown)
            return super().multi_cell(w, h, text, *args, **kwargs)

        def footer(self):
            self.set_y(-13)
            self.set_font(FAMILY, "", 8)
            self.set_text_color(*GREY)
            self.cell(0, 5, f"{self.footer_text}　　第 {self.page_no()}/{{nb}} 页", align="C")

    return BriefingPDF


def render_pdf(briefing: Briefing, font: CJKFont | None = None) -> bytes:
    """The briefing as an A4 PDF (bytes), the CJK font embedded as a subset."""
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    font = font or find_cjk_font()
    b = briefing
    pdf = _pdf_class()(orientation="P", unit="mm", format="A4")
    pdf.footer_text = f"数据截至 {b.as_of}　·　{CONFIDENTIAL}"
    pdf.add_font(FAMILY, "", str(font.regular), collection_font_number=font.regular_index)
    pdf.add_font(FAMILY, "B", str(font.bold or font.regular),
                 collection_font_number=font.bold_index if font.bold else font.regular_index)
    title = f"{b.place} 精准扶贫督查简报（{b.year}年）"
    pdf.set_title(title)
    pdf.set_subject("精准扶贫督查简报")
    pdf.set_creator("通渭县精准扶贫监测")
    pdf.set_lang("zh-CN")
    pdf.set_margins(16, 14, 16)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.epw

    # confidentiality mark and title
    pdf.set_font(FAMILY, "B", 9)
    pdf.set_text_color(*RED)
    pdf.cell(0, 5, CONFIDENTIAL, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font(FAMILY, "B", 17)
    pdf.cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(*GREY)
    pdf.cell(0, 5, f"数据截至 {b.as_of}　·　乡镇代码 {b.township_code}", align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(2)

    # summary line
    threshold = load_config().targets["exit_threshold_pct"]
    rank = f"全县第 {b.league_rank}/{b.league_size} 名　" if b.league_rank else ""
    score = f"综合得分 {b.score:.1f}（{b.grade}）　" if b.score is not None else ""
    if b.exit_year is not None and b.exit_year <= b.year:
        exit_text = f"{b.exit_year}年贫困发生率首次降至{threshold:g}%以下"
    elif b.planned_exit_year:
        exit_text = f"计划{b.planned_exit_year}年摘帽"
    else:
        exit_text = f"计划未列明，随全县{b.due_year}年摘帽"
    pdf.set_font(FAMILY, "", 10.5)
    pdf.multi_cell(
        width, 6,
        f"摘帽判断：{b.verdict_text}　{rank}{score}{exit_text}\n"
        f"户籍人口 {b.registered_population:,} 人，贫困人口 {b.poor_persons:,} 人，"
        f"{b.year}年脱贫 {b.exited_persons:,} 人。",
        new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
    pdf.ln(2)

    heading = FontFace(emphasis="BOLD", fill_color=HEAD_FILL)

    # 1. key figures
    _section(pdf, "一、主要指标与目标")
    with pdf.table(col_widths=(46, 26, 38, 30, 38), text_align=("LEFT", "RIGHT", "CENTER",
                   "RIGHT", "CENTER"), headings_style=heading, line_height=5.6,
                   wrapmode=WrapMode.CHAR, width=width) as table:
        header = table.row()
        for text in ("指标", "本乡镇", "目标", "差距", "是否达标"):
            header.cell(text)
        for k in b.key_figures:
            r = table.row()
            r.cell(k.label)
            r.cell(_fmt(k.value, k.unit))
            r.cell(k.target_note or "—")
            r.cell(_fmt(k.gap, k.unit, signed=True))
            colour = None if k.met is None else (GREEN if k.met else RED)
            r.cell(_mark(k, b.year), style=FontFace(color=colour, emphasis="BOLD") if colour else None)
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(*GREY)
    notes = ["差距 = 本乡镇 − 目标（比率为百分点）。"]
    notes += [f"{k.label}：{k.note}，目标按{k.target_note}。" for k in b.key_figures if k.note]
    notes += [f"{k.label}：{k.judgement.text}（按目标年份的数据评判）。" for k in b.key_figures
              if k.judgement is not None and k.judgement.state != "pending" and b.year > k.judgement.target_year]
    for i, note in enumerate(notes):
        pdf.multi_cell(width, 4.4, ("注：" if i == 0 else "　　") + note,
                       new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
    pdf.set_text_color(0)

    # 2. flags
    _section(pdf, "二、需关注事项")
    items = [f.text for f in b.flags] or ["未发现返贫超限、进度落后、目标未达标或数据质量问题。"]
    if not b.quality_checked:
        items.append("数据质量核查结果仅县级用户可见，本简报未列入。")
    for text in items:
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(width, 5.8, f"•  {text}", new_x="LMARGIN", new_y="NEXT",
                       wrapmode=WrapMode.CHAR)

    # 3. villages
    _section(pdf, f"三、距退出线最远的村（{b.villages_above_threshold} 个村贫困发生率不低于 "
                  f"{threshold:g}%，共 {b.villages_total} 个村）")
    if b.villages_behind:
        with pdf.table(col_widths=(40, 18, 22, 26, 28, 22, 24), text_align=(
                "LEFT", "CENTER", "CENTER", "RIGHT", "RIGHT", "RIGHT", "CENTER"),
                headings_style=heading, line_height=5.6, wrapmode=WrapMode.CHAR,
                width=width) as table:
            header = table.row()
            for text in ("村", "贫困村", "计划退出", "贫困发生率", "尚需脱贫人数", "返贫率", "基础设施"):
                header.cell(text)
            for v in b.villages_behind:
                r = table.row()
                r.cell(v.name)
                r.cell("是" if v.is_poor_village else "否")
                r.cell(str(v.planned_exit_year) if v.planned_exit_year else "—")
                r.cell(_fmt(v.poverty_incidence_pct, "%"))
                r.cell(f"{v.persons_to_threshold} 人")
                over = v.relapse_rate_pct is not None and v.relapse_rate_pct > b.relapse_cap_pct
                r.cell(_fmt(v.relapse_rate_pct, "%"),
                       style=FontFace(color=RED, emphasis="BOLD") if over else None)
                r.cell(f"{v.items_done}/6 项")
        rest = b.villages_above_threshold - len(b.villages_behind)
        if rest > 0:
            pdf.set_font(FAMILY, "", 8.5)
            pdf.multi_cell(width, 4.4, f"另有 {rest} 个村未列出，见系统“乡镇”页。", new_x="LMARGIN",
                           new_y="NEXT")
            pdf.set_font(FAMILY, "", 10)
    else:
        pdf.multi_cell(width, 5.8, f"各村贫困发生率均已低于 {threshold:g}%。", new_x="LMARGIN",
                       new_y="NEXT")

    # 4. at risk
    _section(pdf, "四、防返贫监测")
    reasons = "；".join(f"{label} {n} 户" for label, n in b.at_risk_by_reason)
    pdf.multi_cell(width, 5.8,
                   f"监测对象 {b.at_risk_households} 户 {b.at_risk_persons} 人（{reasons}）。",
                   new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(width, 4.4, "监测对象走访名单见系统“返贫监测”页；本简报不含个人信息。",
                   new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
    pdf.set_text_color(0)

    # 5. leaders
    _section(pdf, "五、结对帮扶责任领导")
    pdf.set_font(FAMILY, "", 10)
    if b.leaders_note:
        pdf.set_text_color(*GREY)
        pdf.multi_cell(width, 5.4, b.leaders_note, new_x="LMARGIN", new_y="NEXT",
                       wrapmode=WrapMode.CHAR)
        pdf.set_text_color(0)
    entries = [f"•  {leader.label}（结对 {leader.households} 户）" for leader in b.leaders]
    if len(entries) <= 4:
        for entry in entries:
            pdf.multi_cell(width, 5.8, entry, new_x="LMARGIN", new_y="NEXT",
                           wrapmode=WrapMode.CHAR)
    else:  # two columns keep a long list on the page
        pdf.set_font(FAMILY, "", 9.5)
        with pdf.table(borders_layout="NONE", first_row_as_headings=False, line_height=5.4,
                       wrapmode=WrapMode.CHAR, width=width, padding=(0.5, 0)) as table:
            for i in range(0, len(entries), 2):
                r = table.row()
                r.cell(entries[i])
                r.cell(entries[i + 1] if i + 1 < len(entries) else "")
        pdf.set_font(FAMILY, "", 10)
    if b.leaders_total > len(b.leaders):
        pdf.multi_cell(width, 5.8, f"另有 {b.leaders_total - len(b.leaders)} 名，略。",
                       new_x="LMARGIN", new_y="NEXT")

    # 6. the plan's countable commitments
    _draw_commitments(pdf, b, width, heading)
    return bytes(pdf.output())


def briefing_pdf(store, township_code: str, year: int) -> bytes:
    """One township's 督查简报 as A4 PDF bytes (see ``township_briefing``)."""
    return render_pdf(township_briefing(store, township_code, year))


def briefing_file_name(township_name: str, year: int, county_name: str | None = None) -> str:
    """督查简报_平襄镇_2016.pdf; with ``county_name`` (a dataset of several counties,
    ``briefing.briefing_county``) 督查简报_通渭县·3_平襄镇·3_2016.pdf."""
    place = f"{county_name}_{township_name}" if county_name else township_name
    return f"督查简报_{place}_{year}.pdf"
