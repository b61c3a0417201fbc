// Chinese first (the default), English second. Keys are dotted paths; a key missing in English
// falls back to Chinese, a key missing in both shows itself (so a gap is visible, not blank).
const STRINGS = {
  zh: {
    app: "报销", logout: "退出", skip: "跳到正文", "nav.capture": "拍票", "nav.claims": "我的报销",
    "nav.inbox": "待我审批", "nav.finance": "财务", "nav.admin": "管理", "nav.dashboard": "看板", "admin.save": "保存为新版本", "admin.saved": "已保存", "admin.policy": "报销制度",
    "admin.flow": "审批流程", "admin.when": "条件", "admin.budgets": "预算", "admin.department": "部门", "admin.period": "期间",
    "admin.start": "开始", "admin.available": "可用", "admin.people": "人员", "admin.name": "姓名",
    "dash.title": "看板", "dash.spendcat": "各类别支出", "dash.spenddept": "各部门支出", "dash.trend": "每月支出",
    "dash.budget": "预算使用率", "dash.cycle": "各审批节点平均耗时", "dash.findings": "常见检查问题", "dash.empty": "暂无数据", "login.title": "登录",
    "login.user": "用户名", "login.password": "密码", "login.submit": "登录",
    "capture.title": "拍发票", "capture.pick": "拍照或选择文件（照片、PDF、OFD、XML）",
    "capture.uploading": "上传中", "capture.reading": "识别中…", "capture.failed": "无法识别",
    "capture.notinvoice": "这不是发票", "capture.category": "类别", "capture.amount": "报销金额",
    "capture.date": "消费日期", "capture.notes": "备注", "capture.purpose": "事由", "capture.check": "检查",
    "capture.submit": "提交报销", "capture.queued": "离线：照片已保存，联网后自动上传",
    "capture.flushed": "联网了：离线保存的照片已上传", "capture.waiting": "张照片等待上传",
    "capture.flagged": "请核对", "capture.corrected": "已更正", "capture.checked": "检查通过，没有发现问题",
    "capture.image": "发票图片", "capture.remove": "移除",
    "capture.noinvoice": "+ 无发票项目（出差补助、里程补贴）", "capture.perdiem": "出差补助", "capture.mileage": "里程补贴",
    "capture.kind": "类型", "capture.reason": "说明（为什么没有发票）", "capture.tripstart": "出差开始",
    "capture.tripend": "出差结束",
    "field.invoice_code": "发票代码", "field.invoice_number": "发票号码", "field.issue_date": "开票日期",
    "field.amount_excl_tax": "金额（不含税）", "field.tax": "税额", "field.total": "价税合计",
    "field.check_code": "校验码", "field.buyer_name": "购买方名称", "field.buyer_tax_id": "购买方税号",
    "field.seller_name": "销售方名称", "field.seller_tax_id": "销售方税号",
    "claims.title": "我的报销", "claims.empty": "还没有报销单", "claim.timeline": "流程记录",
    "claim.findings": "检查结果", "claim.route": "审批流程", "claim.withdraw": "撤回", "claim.resubmit": "重新提交",
    "claim.items": "明细", "claim.item": "明细", "claim.corrections": "更正记录", "claim.noinvoice": "无发票", "claim.risk": "风险",
    "claim.paidref": "付款凭证", "claim.nofindings": "没有发现问题",
    "inbox.title": "待我审批", "inbox.empty": "没有待办", "inbox.batch": "批量通过低风险", "inbox.days": "天",
    "inbox.batchdone": "已批量通过", "inbox.keys": "快捷键：a 通过 · r 驳回 · t 退回", "inbox.listkeys": "快捷键：j 下一条 · k 上一条 · 回车 打开",
    "act.approve": "通过", "act.reject": "驳回", "act.return": "退回修改", "act.comment": "审批意见",
    "act.transfer": "转交", "act.addsigner": "加签", "act.commentonly": "仅评论", "act.who": "选择同事",
    "finance.title": "财务工作台", "finance.payouts": "待付款", "finance.export": "导出 CSV",
    "finance.exportxlsx": "导出 Excel", "finance.markpaid": "标记已付", "finance.nopayouts": "没有待付款",
    "finance.exceptions": "异常队列", "finance.noexceptions": "没有异常", "finance.filter": "筛选",
    "finance.department": "部门", "finance.category": "类别", "finance.risk": "风险", "finance.age": "等待天数",
    "finance.any": "全部", "finance.atleast": "至少", "finance.reasons": "原因", "finance.reviewfields": "待核对字段",
    "admin.title": "管理", "admin.webhooks": "Webhook", "admin.url": "地址", "admin.events": "事件（逗号分隔）",
    "admin.add": "添加", "admin.secret": "签名密钥（只显示这一次）", "admin.deliveries": "投递记录",
    "admin.replay": "重发", "admin.none": "暂无",
    "status.draft": "草稿", "status.submitted": "审批中", "status.returned": "已退回", "status.approved": "已通过",
    "status.rejected": "已驳回", "status.withdrawn": "已撤回", "status.paid": "已付款",
    "risk.pass": "低风险", "risk.finance_review": "需财务复核", "risk.block": "阻断",
    "node.waiting": "等待", "node.active": "进行中", "node.approved": "已通过", "node.rejected": "已驳回",
    "node.returned": "已退回", "node.skipped": "跳过", "node.done": "完成", "node.cancelled": "已取消",
    "action.submit": "提交", "action.approve": "通过", "action.reject": "驳回", "action.return": "退回",
    "action.withdraw": "撤回", "action.transfer": "转交", "action.add_signer": "加签", "action.comment": "评论",
    "action.remind": "催办", "action.resubmit": "重新提交", "action.auto_approve": "自动通过",
    "action.paid": "已付款", "action.timeout": "超时",
    "doc.vat_special": "增值税专用发票", "doc.vat_general": "增值税普通发票", "doc.vat_roll": "增值税普通发票（卷票）",
    "doc.vat_electronic_general": "增值税电子普通发票", "doc.vat_electronic_special": "增值税电子专用发票",
    "doc.toll_electronic": "通行费电子普通发票", "doc.digital_special": "电子发票（增值税专用发票）",
    "doc.digital_general": "电子发票（普通发票）", "doc.quota": "定额发票", "doc.train_ticket": "铁路电子客票",
    "doc.other_invoice": "其他发票", "doc.not_invoice": "不是发票",
    offline: "离线中：新拍的发票会在联网后上传",
    "cat.travel": "差旅", "cat.lodging": "住宿", "cat.meals": "餐饮", "cat.transport": "交通", "cat.office": "办公",
    "cat.client_entertainment": "业务招待", "cat.other": "其他", error: "出错了", loading: "加载中…", more: "加载更多",
  },
  en: {
    app: "Reimburse", logout: "Sign out", skip: "Skip to content", "nav.capture": "Capture",
    "nav.claims": "My claims", "nav.inbox": "Inbox", "nav.finance": "Finance", "nav.admin": "Admin", "nav.dashboard": "Dashboard", "admin.save": "Save as a new version", "admin.saved": "Saved",
    "admin.policy": "Expense policy", "admin.flow": "Approval flow", "admin.when": "when", "admin.budgets": "Budgets",
    "admin.department": "Department", "admin.period": "Period", "admin.start": "Start", "admin.available": "Available",
    "admin.people": "People", "admin.name": "Name",
    "dash.title": "Dashboard", "dash.spendcat": "Spend by category", "dash.spenddept": "Spend by department",
    "dash.trend": "Spend per month", "dash.budget": "Budget used", "dash.cycle": "Average time per approval step",
    "dash.findings": "Top findings", "dash.empty": "No data yet",
    "login.title": "Sign in", "login.user": "Username", "login.password": "Password", "login.submit": "Sign in",
    "capture.title": "Capture an invoice", "capture.pick": "Take a photo or pick files (photo, PDF, OFD, XML)",
    "capture.uploading": "Uploading", "capture.reading": "Reading…", "capture.failed": "Could not read",
    "capture.notinvoice": "Not an invoice", "capture.category": "Category", "capture.amount": "Amount",
    "capture.date": "Date", "capture.notes": "Notes", "capture.purpose": "Purpose", "capture.check": "Check",
    "capture.submit": "Submit claim",
    "capture.queued": "Offline: the photo is saved and uploads when you are back online",
    "capture.flushed": "Back online: the photos saved offline were uploaded",
    "capture.waiting": "photo(s) waiting to upload", "capture.flagged": "Please check",
    "capture.corrected": "corrected", "capture.checked": "Checked: nothing found", "capture.image": "Invoice image",
    "capture.remove": "Remove", "capture.noinvoice": "+ Item without invoice (per-diem, mileage)",
    "capture.perdiem": "Per-diem", "capture.mileage": "Mileage", "capture.kind": "Kind",
    "capture.reason": "Why there is no invoice", "capture.tripstart": "Trip start", "capture.tripend": "Trip end",
    "field.invoice_code": "Invoice code", "field.invoice_number": "Invoice number", "field.issue_date": "Issue date",
    "field.amount_excl_tax": "Amount (excl. tax)", "field.tax": "Tax", "field.total": "Total",
    "field.check_code": "Check code", "field.buyer_name": "Buyer", "field.buyer_tax_id": "Buyer tax ID",
    "field.seller_name": "Seller", "field.seller_tax_id": "Seller tax ID",
    "claims.title": "My claims", "claims.empty": "No claims yet", "claim.timeline": "Timeline",
    "claim.findings": "Findings", "claim.route": "Approval route", "claim.withdraw": "Withdraw",
    "claim.resubmit": "Resubmit", "claim.items": "Items", "claim.item": "Item", "claim.corrections": "Corrections",
    "claim.noinvoice": "No invoice", "claim.risk": "Risk", "claim.paidref": "Payment reference",
    "claim.nofindings": "Nothing found",
    "inbox.title": "Waiting for me", "inbox.empty": "Nothing to do", "inbox.batch": "Approve all low-risk",
    "inbox.days": "days", "inbox.batchdone": "Approved", "inbox.keys": "Keys: a approve · r reject · t return", "inbox.listkeys": "Keys: j next · k previous · Enter open",
    "act.approve": "Approve", "act.reject": "Reject", "act.return": "Return", "act.comment": "Comment",
    "act.transfer": "Transfer", "act.addsigner": "Add signer", "act.commentonly": "Comment only", "act.who": "Colleague",
    "finance.title": "Finance", "finance.payouts": "To pay", "finance.export": "Export CSV",
    "finance.exportxlsx": "Export Excel", "finance.markpaid": "Mark paid", "finance.nopayouts": "Nothing to pay",
    "finance.exceptions": "Exceptions", "finance.noexceptions": "No exceptions", "finance.filter": "Filter",
    "finance.department": "Department", "finance.category": "Category", "finance.risk": "Risk",
    "finance.age": "Days waiting", "finance.any": "All", "finance.atleast": "at least", "finance.reasons": "Reasons",
    "finance.reviewfields": "Fields to check",
    "admin.title": "Admin", "admin.webhooks": "Webhooks", "admin.url": "URL", "admin.events": "Events (comma separated)",
    "admin.add": "Add", "admin.secret": "Signing secret (shown once)", "admin.deliveries": "Deliveries",
    "admin.replay": "Replay", "admin.none": "None yet",
    "status.draft": "Draft", "status.submitted": "In approval", "status.returned": "Returned",
    "status.approved": "Approved", "status.rejected": "Rejected", "status.withdrawn": "Withdrawn", "status.paid": "Paid",
    "risk.pass": "Low risk", "risk.finance_review": "Finance review", "risk.block": "Blocked",
    "node.waiting": "Waiting", "node.active": "In progress", "node.approved": "Approved", "node.rejected": "Rejected",
    "node.returned": "Returned", "node.skipped": "Skipped", "node.done": "Done", "node.cancelled": "Cancelled",
    "action.submit": "submitted", "action.approve": "approved", "action.reject": "rejected", "action.return": "returned",
    "action.withdraw": "withdrew", "action.transfer": "transferred", "action.add_signer": "added a signer",
    "action.comment": "commented", "action.remind": "reminded", "action.resubmit": "resubmitted",
    "action.auto_approve": "auto-approved", "action.paid": "paid", "action.timeout": "timed out",
    "doc.vat_special": "VAT special invoice", "doc.vat_general": "VAT general invoice", "doc.vat_roll": "VAT roll invoice",
    "doc.vat_electronic_general": "Electronic VAT general invoice", "doc.vat_electronic_special": "Electronic VAT special invoice",
    "doc.toll_electronic": "Electronic toll invoice", "doc.digital_special": "Digital invoice (special)",
    "doc.digital_general": "Digital invoice (general)", "doc.quota": "Quota invoice", "doc.train_ticket": "Train e-ticket",
    "doc.other_invoice": "Other invoice", "doc.not_invoice": "Not an invoice",
    offline: "Offline: new photos upload when you are back",
    "cat.travel": "Travel", "cat.lodging": "Lodging", "cat.meals": "Meals", "cat.transport": "Transport",
    "cat.office": "Office", "cat.client_entertainment": "Client entertainment", "cat.other": "Other", error: "Error",
    loading: "Loading…", more: "Load more",
  },
};

export let lang = localStorage.getItem("lang") || "zh";

export function t(key) {
  return (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.zh[key] || key;
}

// Looks a key up but falls back to the raw value (e.g. a timeline action we have no word for).
export function tOr(prefix, value) {
  const key = `${prefix}.${value}`;
  const found = t(key);
  return found === key ? value : found;
}

export function setLang(value) {
  lang = value;
  localStorage.setItem("lang", value);
  document.documentElement.lang = value === "zh" ? "zh-CN" : "en";
  translate(document);
}

export function translate(root) {
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
}

export const KEYS = { zh: Object.keys(STRINGS.zh), en: Object.keys(STRINGS.en) };
