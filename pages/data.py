"""数据 — what is loaded, the data-quality findings, and loading new data."""

from __future__ import annotations

import json

import streamlit as st

from analytics.config import load_config
from analytics.contract import TABLES
from analytics.exports import dataset_zip, export_file_name
from analytics.ingest.report import file_problems_lead, problem_count
from analytics.loading import load_uploaded_files
from ui import data
from ui.exports import audited
from ui.format import audit_label, fmt_int, source_label
from ui.frame import page_frame, progress_bar
from ui.tables import data_table, finding_rows, problem_column_config, problem_rows

filters = page_frame("数据", "data", show_filters=False)
UPLOAD_LIMIT_BYTES = int(st.get_option("server.maxUploadSize")) * 1024 * 1024
EXPORT_ALL_MAX_ROWS = 5_000_000  # beyond this the zip is built on the server, by the command line
meta = data.dataset_meta()

st.subheader("当前数据")
c = st.columns(4)
c[0].metric("数据截至", meta.get("as_of", "—"), border=True)
c[1].metric("年份", f"{meta.get('first_year')}–{meta.get('last_year')}", border=True)
c[2].metric("导入时间（UTC）", meta.get("loaded_at", "—").replace("T", " ")[:16], border=True)
c[3].metric("来源", source_label(meta.get("source")), help=meta.get("source"), border=True)
counts = json.loads(meta.get("row_counts", "{}"))
data_table(
    [{"表": TABLES[name].label if name in TABLES else name, "行数": n} for name, n in counts.items()],
    hide_index=True, key="row_counts", placeholder="—",
    column_config={"行数": st.column_config.NumberColumn(format="localized")})
viewer = data.current_viewer()
if not viewer.may_see_personal:
    st.caption("导出全部数据（含姓名、身份证号）需以县级账户登录；未配置账户的演示模式不提供。")
elif not viewer.may_replace_data:
    st.caption("您的账户只能查看本县数据：导出和导入全部数据需省级账户（或不限县的县级账户）。")
elif sum(counts.values()) > EXPORT_ALL_MAX_ROWS:
    st.caption(f"数据量较大（{sum(counts.values()):,} 行），请在服务器上用命令导出："
               "`python -m analytics export 目标文件夹`。")
else:
    name = export_file_name(data.dataset_name(), "全部数据", None, "zip")
    store = data.get_store()
    st.download_button("导出全部数据（数据规范格式 CSV，zip）",
                       audited(lambda: dataset_zip(store), name, sum(counts.values())),
                       file_name=name, mime="application/zip", key="export_all", on_click="ignore",
                       help="各表一个 CSV 文件，可再导入；含个人信息，下载记入操作记录")

st.subheader("综合贫困发生率")
honest = data.comprehensive_incidence()
data_table(honest, hide_index=True, key="comprehensive",
           column_order=["year", "registered_population", "poor_persons", "wrong_exit_persons",
                         "late_enrolled_persons", "incidence_pct", "comprehensive_incidence_pct"],
           column_config={
               "year": st.column_config.NumberColumn("年份", format="%d"),
               "registered_population": st.column_config.NumberColumn("户籍人口（人）", format="localized"),
               "poor_persons": st.column_config.NumberColumn("未脱贫（人）", format="localized"),
               "wrong_exit_persons": st.column_config.NumberColumn("错退嫌疑（人）", format="localized"),
               "late_enrolled_persons": st.column_config.NumberColumn("漏评估计（人）", format="localized"),
               "incidence_pct": st.column_config.NumberColumn("贫困发生率（%）", format="%.2f"),
               "comprehensive_incidence_pct": st.column_config.NumberColumn("综合贫困发生率（%）",
                                                                             format="%.2f")}, placeholder="—")
st.caption("综合贫困发生率 = (未脱贫 + 错退嫌疑 + 漏评估计) / 户籍人口。错退嫌疑：标为已脱贫但收入低于贫困线"
           "或三保障未达标的户的人口；漏评估计：此后年份才识别的户的人口（事后才知道，近年偏低）。")

st.subheader("数据质量检查")
findings = data.quality_findings()
town_names = data.township_labels()  # two counties' 城关镇 told apart
summary = [{"检查": f.title, "发现": f.count, "说明": f.explanation} for f in findings]
data_table(summary, hide_index=True, key="findings_summary",
           column_config={"发现": st.column_config.NumberColumn("发现（条）", format="localized")}, placeholder="—")
for finding in findings:
    if finding.count:
        with st.expander(f"{finding.title}：{finding.count:,} 条"):
            st.caption(finding.explanation)
            data_table(finding_rows(finding.rows.head(500), town_names), hide_index=True,
                       key=f"finding_{finding.rule}", placeholder="—")
            if finding.count > 500:
                st.caption(f"仅显示前 500 条，共 {finding.count:,} 条。")

st.subheader("导入新数据")
if not viewer.may_replace_data:  # an import replaces every county loaded, not only theirs
    st.caption("您的账户只能查看本县数据：导入会替换全部县的数据，需省级账户（或不限县的县级账户）。")
else:
    st.caption("可一次上传：全国扶贫开发信息系统导出的建档立卡人口明细（每年一个文件，CSV 或 Excel）、村级台账、"
               "帮扶责任人名单（按表头自动识别，格式见 data/formats/）；或数据规范中的各表 CSV（UTF-8 或 GBK）/ "
               "Parquet 文件、按表分工作表的工作簿（.xlsx、.xls、.ods）。"
               "全部校验通过才会替换现有数据；任何一处不合格，现有数据保持不变。")
    # Streamlit 1.67 writes the drop zone's button and line in English ("Upload", "200MB per
    # file • …") with no option to change them: the same words, in Chinese, drawn over them.
    st.html(f"""<style>
    [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
    [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
        content: "选择文件"; font-size: 0.875rem; }}
    [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
    [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
        content: "可拖放到此处 · 每个文件不超过 {UPLOAD_LIMIT_BYTES // (1024 * 1024)} MB · CSV、Parquet、Excel（.xlsx、.xlsm、.xls）、.ods";
        font-size: 0.875rem; }}
    </style>""")
    uploads = st.file_uploader("选择文件", type=["csv", "parquet", "xlsx", "xlsm", "xls", "ods"],
                               accept_multiple_files=True, key="upload")
    if uploads and st.button("校验并导入", type="primary", key="do_import"):
        with st.status("正在校验…", expanded=True) as status:
            say = progress_bar(expected_steps=25)
            viewer = data.current_viewer()
            result = load_uploaded_files(((u.name, u.getvalue()) for u in uploads), actor=viewer.name,
                                         role=viewer.role, max_bytes=UPLOAD_LIMIT_BYTES, progress=say)
            # the status says how the check ended (it kept 正在校验… after a refusal)
            if result.ok:
                status.update(label="校验通过，数据已替换", state="complete", expanded=False)
            else:
                status.update(label=f"已拒绝：共 {problem_count(result.problems):,} 个问题，现有数据未改动",
                              state="error", expanded=False)
        st.session_state["import_result"] = result
        if result.ok:  # the header, the tiles and every page show the new data at once
            st.cache_data.clear()
            st.rerun()
    result = st.session_state.get("import_result")
    if result is not None:
        if result.ok:
            st.success("导入成功，数据已替换：" + "，".join(f"{TABLES[k].label} {v:,} 行"
                                                     for k, v in result.counts.items()))
        else:
            lead = file_problems_lead(result.problems)
            st.error(f"导入被拒绝：共 {problem_count(result.problems):,} 个问题，现有数据未改动。"
                     + (f"\n\n{lead}" if lead else ""))
            data_table(problem_rows(result.problems), hide_index=True, key="problems",
                       column_config=problem_column_config(), placeholder="—")
        if result.notices:
            st.caption(f"提示（{len(result.notices):,} 条，不影响导入）")
            data_table(problem_rows(result.notices), hide_index=True, key="notices",
                       column_config=problem_column_config(), placeholder="—")

st.subheader("操作记录")
log = data.audit_log()
total = data.audit_total()
if viewer.allowed:
    st.caption("只列出本" + ("县" if viewer.role == "county" else "乡镇") + "账户的操作记录；"
               "省级账户的导入、导出和登录失败记录不在其中。")
if total > len(log):
    st.caption(f"共 {total:,} 条记录，这里列出最近 {len(log):,} 条。")
log = log.assign(**{column: log[column].map(lambda v, c=column: audit_label(c, v))
                    for column in ("actor", "role", "action", "detail")},
                 rows=[fmt_int(n) for n in log["rows"]])
data_table(log, hide_index=True, key="audit_log", column_config={
    "logged_at": st.column_config.DatetimeColumn("时间（UTC）", format="YYYY-MM-DD HH:mm:ss"),
    "actor": "用户", "role": "角色", "action": "操作", "detail": "内容",
    "rows": "行数"}, placeholder="—", print_rows=int(load_config().pages["print_audit_rows"]),
    print_rest="全部记录请在屏幕上查看。" if total <= len(log) else
    f"屏幕上列出最近 {len(log):,} 条（全部 {total:,} 条记录在服务器的操作记录文件中）。")
