"""Accounting vouchers (记账凭证): the GL mapping (a versioned admin document), the input-VAT
rules for reimbursement, the balanced voucher an approved (or paid) claim produces, and its
exports (Kingdee K/3 Cloud, Yonyou U8, CSV, JSON)."""
