// Chinese first (the default), English second. Keys are dotted paths.
const STRINGS = {
  zh: {
    app: "报销", logout: "退出", "nav.capture": "拍票", "nav.claims": "我的报销", "nav.inbox": "待我审批",
    "nav.finance": "财务", "login.title": "登录", "login.user": "用户名", "login.password": "密码",
    "login.submit": "登录", "capture.title": "拍发票", "capture.pick": "拍照或选择文件（照片、PDF、OFD、XML）",
    "capture.uploading": "上传中", "capture.reading": "识别中…", "capture.failed": "无法识别",
    "capture.notinvoice": "这不是发票", "capture.category": "类别", "capture.amount": "报销金额",
    "capture.date": "消费日期", "capture.purpose": "事由", "capture.check": "检查", "capture.submit": "提交报销",
    "capture.queued": "离线：照片已保存，联网后自动上传", "capture.flagged": "请核对", "capture.add": "加入报销单",
    "claims.title": "我的报销", "claims.empty": "还没有报销单", "claim.timeline": "流程记录",
    "claim.findings": "检查结果", "claim.route": "审批流程", "claim.withdraw": "撤回", "claim.resubmit": "重新提交",
    "inbox.title": "待我审批", "inbox.empty": "没有待办", "inbox.batch": "批量通过低风险",
    "act.approve": "通过", "act.reject": "驳回", "act.return": "退回修改", "act.comment": "审批意见",
    "act.transfer": "转交", "act.addsigner": "加签", "act.commentonly": "仅评论", "act.who": "选择同事",
    "finance.title": "财务工作台", "finance.payouts": "待付款", "finance.export": "导出 CSV",
    "finance.exceptions": "异常队列", "status.draft": "草稿", "status.submitted": "审批中",
    "status.returned": "已退回", "status.approved": "已通过", "status.rejected": "已驳回",
    "status.withdrawn": "已撤回", "status.paid": "已付款", "offline": "离线中：新拍的发票会在联网后上传",
    "cat.travel": "差旅", "cat.lodging": "住宿", "cat.meals": "餐饮", "cat.transport": "交通", "cat.office": "办公",
    "cat.client_entertainment": "业务招待", "cat.other": "其他", "error": "出错了",
  },
  en: {
    app: "Reimburse", logout: "Sign out", "nav.capture": "Capture", "nav.claims": "My claims", "nav.inbox": "Inbox",
    "nav.finance": "Finance", "login.title": "Sign in", "login.user": "Username", "login.password": "Password",
    "login.submit": "Sign in", "capture.title": "Capture an invoice",
    "capture.pick": "Take a photo or pick files (photo, PDF, OFD, XML)", "capture.uploading": "Uploading",
    "capture.reading": "Reading…", "capture.failed": "Could not read", "capture.notinvoice": "Not an invoice",
    "capture.category": "Category", "capture.amount": "Amount", "capture.date": "Date", "capture.purpose": "Purpose",
    "capture.check": "Check", "capture.submit": "Submit claim",
    "capture.queued": "Offline: the photo is saved and uploads when you are back online",
    "capture.flagged": "Please check", "capture.add": "Add to claim", "claims.title": "My claims",
    "claims.empty": "No claims yet", "claim.timeline": "Timeline", "claim.findings": "Findings",
    "claim.route": "Approval route", "claim.withdraw": "Withdraw", "claim.resubmit": "Resubmit",
    "inbox.title": "Waiting for me", "inbox.empty": "Nothing to do", "inbox.batch": "Approve all low-risk",
    "act.approve": "Approve", "act.reject": "Reject", "act.return": "Return", "act.comment": "Comment",
    "act.transfer": "Transfer", "act.addsigner": "Add signer", "act.commentonly": "Comment only", "act.who": "Colleague",
    "finance.title": "Finance", "finance.payouts": "To pay", "finance.export": "Export CSV",
    "finance.exceptions": "Exceptions", "status.draft": "Draft", "status.submitted": "In approval",
    "status.returned": "Returned", "status.approved": "Approved", "status.rejected": "Rejected",
    "status.withdrawn": "Withdrawn", "status.paid": "Paid", "offline": "Offline: new photos upload when you are back",
    "cat.travel": "Travel", "cat.lodging": "Lodging", "cat.meals": "Meals", "cat.transport": "Transport",
    "cat.office": "Office", "cat.client_entertainment": "Client entertainment", "cat.other": "Other", "error": "Error",
  },
};

export let lang = localStorage.getItem("lang") || "zh";

export function t(key) {
  return (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.zh[key] || key;
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
