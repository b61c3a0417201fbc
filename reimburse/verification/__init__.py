"""Invoice authenticity (发票查验): a port to tax-bureau verification providers, the pure rules
around it (what a request needs, when an invoice is checkable, findings from an answer, rate and
daily caps), and adapters: ``tencent`` (an HTTP client for a Tencent-Cloud-style JSON API with
TC3-HMAC-SHA256 signing) and ``none`` (the default deployment: every invoice "unverified").
"""
