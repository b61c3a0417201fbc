"""The callback crypto against the platforms' published sample vectors, and tampering refused.

Vectors: WeCom's ``WXBizMsgCrypt`` sample (token ``QDG6eK``, the URL-check request of its
``Sample``); the same scheme's published encrypt test (``WXBizMsgCryptTest``: random prefix
``aaaabbbbccccdddd``); a DingTalk encryptor demo output (``getEncryptedMap("success")``);
Feishu's documented decrypt example (key ``test key`` -> ``hello world``).
"""

from __future__ import annotations

import pytest

from reimburse.workapps import crypto

WECOM_AES = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
WECOM_ECHO = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="


def test_wecom_sample_url_check() -> None:
    assert crypto.sha1_signature("QDG6eK", "1409659589", "263014780", WECOM_ECHO) == (
        "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
    )
    plain = crypto.wx_open(
        "QDG6eK",
        WECOM_AES,
        None,
        signature="5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
        timestamp="1409659589",
        nonce="263014780",
        encrypted=WECOM_ECHO,
    )
    assert plain == b"1616140317555161061"
    # the receive id inside is the sample's corp id: another one is refused
    assert crypto.wx_decrypt(WECOM_AES, WECOM_ECHO, "wx5823bf96d3bd56c7") == plain
    with pytest.raises(crypto.CallbackRefused, match="another app"):
        crypto.wx_decrypt(WECOM_AES, WECOM_ECHO, "ww-someone-else")


def test_wx_encrypt_matches_the_published_ciphertext() -> None:
    out = crypto.wx_encrypt(
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "我是中文abcd123".encode(),
        "wxb11529c136998cb6",
        random16=b"aaaabbbbccccdddd",
    )
    assert out == "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="


def test_dingtalk_demo_vector() -> None:
    encrypted = "QH/UQCL7dUGoPQZcBf2H2u/8ImJ+6tjDOSfHle3GmMoG/zopHbD8JpXVCBFGSUFmQ3bWXIuzwyXAZCeS2kptmA=="
    plain = crypto.wx_open(
        "o2oa",
        "Nzk5ZjFiODIxMzkyNGMyNWIyMmFiZWZkNjIzNjIxYTg",
        "ding21016b71e78da961",
        signature="502b261eda47a212db163c91322f7ddecb2e99cc",
        timestamp="1603697312745",
        nonce="2dffdfdfdf2222",
        encrypted=encrypted,
    )
    assert plain == b"success"


def test_feishu_documented_example() -> None:
    assert crypto.feishu_decrypt("test key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=") == b"hello world"
    again = crypto.feishu_encrypt("k", b'{"a": 1}')
    assert crypto.feishu_decrypt("k", again) == b'{"a": 1}'
    sig = crypto.feishu_signature("1700000000", "n1", "k", b"{}")
    crypto.feishu_check_signature("1700000000", "n1", "k", b"{}", sig)
    with pytest.raises(crypto.CallbackRefused):
        crypto.feishu_check_signature("1700000000", "n1", "k", b"{ }", sig)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda q: {**q, "signature": "0" * 40},
        lambda q: {**q, "timestamp": "1409659590"},
        lambda q: {**q, "encrypted": q["encrypted"][:-8] + "AAAAAAA="},
        lambda q: {**q, "encrypted": "not base64!"},
    ],
)
def test_tampered_callbacks_are_refused(mutate) -> None:  # type: ignore[no-untyped-def]
    q = {
        "signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
        "timestamp": "1409659589",
        "nonce": "263014780",
        "encrypted": WECOM_ECHO,
    }
    m = mutate(q)
    if m["encrypted"] != WECOM_ECHO:  # a valid signature over the altered text, to reach the AES layer
        m["signature"] = crypto.sha1_signature("QDG6eK", m["timestamp"], m["nonce"], m["encrypted"])
    with pytest.raises(crypto.CallbackRefused):
        crypto.wx_open("QDG6eK", WECOM_AES, None, **m)
