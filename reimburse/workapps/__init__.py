"""Work apps as the front door: WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书).

Each platform sits behind one small protocol (``port.WorkApp``): browser sign-in, personal
messages, approval cards and their update, callback verification and decryption, the contact
directory and its change events. ``service`` and ``sync`` hold what the platforms share.
"""
