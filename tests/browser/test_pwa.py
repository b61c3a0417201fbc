"""Installable: the manifest names the app, starts it standalone on the home inside its scope,
in the theme colour the page declares, with the icons browsers require (192 and 512 px PNGs,
one of them maskable with its drawing inside the safe circle), each served at its declared size;
and in Chromium the manifest and icons load and the service worker caches the shell."""

from __future__ import annotations

import io
import json
import re
from typing import Any
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from playwright.sync_api import expect

from reimburse.api.app import create_app
from reimburse.api.web import WEB
from reimburse.core.settings import Settings
from tests.browser.helpers import phone


def test_manifest_is_valid_and_its_icons_are_served(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    shell = client.get("/").text
    (href,) = re.findall(r'<link rel="manifest" href="([^"]+)">', shell)
    answer = client.get(href)
    assert answer.status_code == 200
    manifest = json.loads(answer.text)
    assert manifest["name"] and manifest["short_name"] and len(manifest["short_name"]) <= 12
    assert manifest["display"] == "standalone"
    (theme,) = re.findall(r'<meta name="theme-color" content="([^"]+)">', shell)
    assert manifest["theme_color"] == theme and re.fullmatch(r"#[0-9a-f]{6}", theme)
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    # the start page lies inside the scope (else the browser drops the scope), both resolved
    # against the manifest's own address, as browsers do
    scope = urljoin(f"http://app{href}", manifest["scope"])
    start = urljoin(f"http://app{href}", manifest["start_url"])
    # no page named: the app lands the person itself (the inbox when claims wait, else home)
    assert start.startswith(scope) and "#" not in start
    assert client.get(start.removeprefix("http://app").split("#")[0]).status_code == 200
    sizes = {}
    for icon in manifest["icons"]:
        got = client.get(urljoin(href, icon["src"]))
        assert got.status_code == 200 and got.headers["content-type"] == "image/png", icon
        image = Image.open(io.BytesIO(got.content))
        assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"], icon
        for purpose in icon.get("purpose", "any").split():
            sizes.setdefault(purpose, set()).add(image.width)
        if "maskable" in icon.get("purpose", ""):
            # a mask may cut everything outside the central 80 % circle: there, only the background
            rgb = image.convert("RGB")
            corner = rgb.getpixel((0, 0))
            w = image.width
            directions = [
                (1, 0),
                (-1, 0),
                (0, 1),
                (0, -1),
                (0.7, 0.7),
                (-0.7, 0.7),
                (0.7, -0.7),
                (-0.7, -0.7),
            ]
            ring = [
                (int(w / 2 + r * w * dx), int(w / 2 + r * w * dy))
                for r in (0.42, 0.47)
                for dx, dy in directions
            ]
            assert all(rgb.getpixel(p) == corner for p in ring)
            assert image.getpixel((0, 0))[3] == 255  # full bleed: no transparent corners
    assert {192, 512} <= sizes["any"] and 512 in sizes["maskable"]
    # the service worker caches the manifest and the icons with the shell
    sw = client.get("/sw.js").text
    for icon in manifest["icons"]:
        assert f'"{icon["src"]}"' in sw
    apple = re.findall(r'<link rel="apple-touch-icon" href="([^"]+)">', shell)
    assert apple and client.get(apple[0]).status_code == 200
    assert {p.name for p in WEB.glob("*.png")} >= {i["src"].rsplit("/", 1)[-1] for i in manifest["icons"]}


@pytest.mark.browser
def test_chromium_loads_the_manifest_and_icons_and_caches_the_shell(
    server: dict[str, Any], browser: Any
) -> None:
    base = server["base"]
    page = phone(browser, base, "alice")
    loaded = page.evaluate(
        """async () => {
        const href = document.querySelector('link[rel=manifest]').href;
        const manifest = await (await fetch(href)).json();
        const icons = await Promise.all(manifest.icons.map((i) => new Promise((resolve) => {
          const img = new Image();
          img.onload = () => resolve(`${img.naturalWidth}x${img.naturalHeight}`);
          img.onerror = () => resolve('failed');
          img.src = new URL(i.src, href).href;
        })));
        return { sizes: manifest.icons.map((i) => i.sizes), icons };
    }"""
    )
    assert loaded["icons"] == loaded["sizes"]
    # the worker installed and holds the shell (the home's module and the icons among it)
    cached = page.evaluate(
        """async () => {
        await navigator.serviceWorker.ready;
        const keys = await caches.keys();
        const cache = await caches.open(keys.find((k) => k.startsWith('reimburse-shell')));
        return (await cache.keys()).map((r) => new URL(r.url).pathname);
    }"""
    )
    assert {"/", "/app/home.js", "/app/capture.js", "/app/icon-192.png", "/app/icon-maskable-512.png"} <= set(
        cached
    )
    expect(page.locator("link[rel=apple-touch-icon]")).to_have_attribute("href", "/app/apple-touch-icon.png")
