"""The audio library over HTTP: validated uploads stored on disk (or nothing stored), list,
rename, preview, per-purpose choice, delete refused while in use, signed provider links."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from tests.integration.media.audio_files import corrupt_wav, wav
from tests.support import Env

from omnivox.accounts.models import AuditEntry
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal
from omnivox.media import AudioKind, MediaLinks, hold_music_url, prompt
from omnivox.media.library import upload_audio
from omnivox.media.models import AudioFile
from omnivox.telephony.instructions import Play, Say


async def _admin(env: Env, slug: str = "acme") -> tuple[str, dict[str, str]]:
    org = await env.org(slug)
    await env.user(org, f"boss@{slug}.example.com", Role.ORG_ADMIN)
    return org, await env.token(f"boss@{slug}.example.com")


async def _upload(
    env: Env, headers: dict[str, str], data: bytes, filename: str = "hello.wav", **form: str
) -> httpx.Response:
    return await env.client.post(
        "/api/v1/audio",
        headers=headers,
        files={"file": (filename, data, "application/octet-stream")},
        data={"kind": "greeting", **form},
    )


def _stored(env: Env, org: str) -> list[Path]:
    folder = Path(env.settings.data_dir) / "audio" / org
    return sorted(folder.iterdir()) if folder.exists() else []


async def _rows(env: Env) -> int:
    async with env.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(AudioFile)) or 0)


async def test_upload_stores_the_file_and_its_facts(env: Env) -> None:
    org, h = await _admin(env)
    data = wav(2.5)
    resp = await _upload(env, h, data, "Welcome.wav", name="Main welcome")
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["name"] == "Main welcome" and body["kind"] == "greeting"
    assert (body["format"], body["sample_rate"], body["channels"]) == ("wav", 8000, 1)
    assert body["duration_seconds"] == pytest.approx(2.5)
    assert body["size_bytes"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    [path] = _stored(env, org)
    assert path.name == f"{body['id']}.wav" and path.read_bytes() == data
    listed = (await env.client.get("/api/v1/audio", headers=h)).json()
    assert [f["id"] for f in listed] == [body["id"]]
    async with env.sessions() as s:
        actions = list(await s.scalars(select(AuditEntry.action)))
    assert "audio.upload" in actions


@pytest.mark.parametrize(
    ("data", "name", "kind", "status", "code"),
    [
        (corrupt_wav(), "broken.wav", "greeting", 422, "audio-corrupt"),
        (wav(2.0)[:400], "cut.wav", "greeting", 422, "audio-truncated"),
        (b"not audio at all", "notes.wav", "greeting", 415, "audio-unsupported"),
        (wav(1.0), "song.ogg", "greeting", 415, "audio-wrong-extension"),
        (wav(12.0), "long.wav", "safe_harbour", 422, "audio-too-long"),
        (wav(2.0), "short.wav", "hold_music", 422, "audio-too-short"),
        (b"", "empty.wav", "greeting", 422, "audio-empty"),
    ],
)
async def test_refused_uploads_name_the_problem_and_store_nothing(
    sqlite_env: Env, data: bytes, name: str, kind: str, status: int, code: str
) -> None:
    org, h = await _admin(sqlite_env)
    resp = await _upload(sqlite_env, h, data, name, kind=kind)
    assert resp.status_code == status, resp.text
    problem = resp.json()
    assert problem["code"] == code and problem["detail"]
    assert _stored(sqlite_env, org) == []
    assert await _rows(sqlite_env) == 0


async def test_oversized_upload_is_refused_with_413(sqlite_env: Env) -> None:
    org, h = await _admin(sqlite_env)
    big = wav(700.0, rate=8000)  # 11.2 MB of PCM, over the 10 MB limit
    resp = await _upload(sqlite_env, h, big, "big.wav", kind="hold_music")
    assert resp.status_code == 413
    assert resp.json()["code"] == "audio-too-large"
    assert "10.0 MB" in resp.json()["detail"]
    assert _stored(sqlite_env, org) == [] and await _rows(sqlite_env) == 0


async def test_bad_kind_and_missing_file_are_422(sqlite_env: Env) -> None:
    _org, h = await _admin(sqlite_env)
    resp = await _upload(sqlite_env, h, wav(1.0), kind="ringtone")
    assert resp.status_code == 422 and "kind" in resp.json()["detail"]
    no_file = await sqlite_env.client.post("/api/v1/audio", headers=h, data={"kind": "greeting"})
    assert no_file.status_code == 422 and no_file.json()["errors"][0]["field"] == "file"


async def test_a_failed_insert_leaves_no_file_behind(sqlite_env: Env) -> None:
    """Validation passed, the row could not be written (no such organisation): the bytes
    written beside their final name are removed too."""
    actor = Principal.system("0" * 32)
    async with sqlite_env.sessions() as s:
        with pytest.raises(IntegrityError):
            await upload_audio(
                s,
                actor,
                data=wav(1.0),
                filename="x.wav",
                kind=AudioKind.GREETING,
                name="",
                data_dir=Path(sqlite_env.settings.data_dir),
                now=sqlite_env.clock.now(),
            )
    assert _stored(sqlite_env, "0" * 32) == []


async def test_rename_preview_choose_and_delete(env: Env) -> None:
    org, h = await _admin(env)
    c = env.client
    music = (await _upload(env, h, wav(6.0), "tune.wav", kind="hold_music")).json()
    renamed = await c.patch(f"/api/v1/audio/{music['id']}", headers=h, json={"name": "Jazz"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Jazz"
    blank = await c.patch(f"/api/v1/audio/{music['id']}", headers=h, json={"name": "  "})
    assert blank.status_code == 422

    preview = await c.get(f"/api/v1/audio/{music['id']}/content", headers=h)
    assert preview.status_code == 200
    assert preview.headers["content-type"] == "audio/wav"
    assert preview.content == _stored(env, org)[0].read_bytes()

    # A greeting cannot be chosen as hold music: each purpose has its own duration bounds.
    greeting = (await _upload(env, h, wav(1.0))).json()
    wrong = await c.put(
        "/api/v1/audio-settings", headers=h, json={"kind": "hold_music", "file_id": greeting["id"]}
    )
    assert wrong.status_code == 422 and "greeting" in wrong.json()["detail"]

    chosen = await c.put(
        "/api/v1/audio-settings", headers=h, json={"kind": "hold_music", "file_id": music["id"]}
    )
    assert chosen.status_code == 200 and chosen.json()["file_name"] == "Jazz"
    settings = {
        s["kind"]: s["file_id"] for s in (await c.get("/api/v1/audio-settings", headers=h)).json()
    }
    assert settings["hold_music"] == music["id"] and settings["greeting"] is None

    refused = await c.delete(f"/api/v1/audio/{music['id']}", headers=h)
    assert refused.status_code == 409 and refused.json()["code"] == "audio-in-use"
    assert "hold music" in refused.json()["detail"]
    assert len(_stored(env, org)) == 2

    cleared = await c.put("/api/v1/audio-settings", headers=h, json={"kind": "hold_music"})
    assert cleared.status_code == 200 and cleared.json()["file_id"] is None
    assert (await c.delete(f"/api/v1/audio/{music['id']}", headers=h)).status_code == 204
    assert [p.name for p in _stored(env, org)] == [f"{greeting['id']}.wav"]
    assert (await c.get(f"/api/v1/audio/{music['id']}", headers=h)).status_code == 404


async def test_supervisors_read_but_cannot_change(sqlite_env: Env) -> None:
    org, h = await _admin(sqlite_env)
    await sqlite_env.user(org, "sue@acme.example.com", Role.SUPERVISOR)
    sup = await sqlite_env.token("sue@acme.example.com")
    made = (await _upload(sqlite_env, h, wav(1.0))).json()
    assert (await sqlite_env.client.get("/api/v1/audio", headers=sup)).status_code == 200
    assert (await _upload(sqlite_env, sup, wav(1.0))).status_code == 403
    gone = await sqlite_env.client.delete(f"/api/v1/audio/{made['id']}", headers=sup)
    assert gone.status_code == 403


async def test_prompts_play_the_chosen_file_by_a_signed_link_else_speak(env: Env) -> None:
    org, h = await _admin(env)
    links = MediaLinks.from_settings(env.settings)
    now = env.clock.now()
    async with env.sessions() as s:
        spoken = await prompt(s, org, AudioKind.GREETING, now, fallback_text="Hello", links=links)
        assert spoken == Say(text="Hello")
        assert await hold_music_url(s, org, now, links=links) is None

    data = wav(1.5)
    made = (await _upload(env, h, data)).json()
    await env.client.put(
        "/api/v1/audio-settings", headers=h, json={"kind": "greeting", "file_id": made["id"]}
    )
    async with env.sessions() as s:
        played = await prompt(s, org, AudioKind.GREETING, now, fallback_text="Hello", links=links)
    assert isinstance(played, Play) and played.url is not None
    url = urlsplit(played.url)
    assert f"{url.scheme}://{url.netloc}" == env.settings.public_url
    path = f"{url.path}?{url.query}"

    fetched = await env.client.get(path)  # no credentials: the signature is the key
    assert fetched.status_code == 200 and fetched.content == data
    assert fetched.headers["content-type"] == "audio/wav"

    forged = path[:-1] + ("0" if path[-1] != "0" else "1")
    assert (await env.client.get(forged)).status_code == 403
    other = path.replace(made["id"], "f" * 32)
    assert (await env.client.get(other)).status_code == 403
    assert (await env.client.get(url.path)).status_code == 403  # unsigned
    await env.clock.advance(16 * 60)  # prompts' links live 15 minutes
    assert (await env.client.get(path)).status_code == 403


async def test_the_admin_page_uploads_lists_and_explains_refusals(sqlite_env: Env) -> None:
    org, h = await _admin(sqlite_env)
    c, hx = sqlite_env.client, {**h, "HX-Request": "true"}
    page = await c.get("/admin/audio", headers=h)
    assert page.status_code == 200 and 'data-testid="audio-upload"' in page.text
    assert "Spoken fallback (text-to-speech)" in page.text
    ok = await c.post(
        "/admin/audio",
        headers=hx,
        files={"file": ("Welcome.wav", wav(1.5), "audio/wav")},
        data={"kind": "greeting"},
    )
    assert ok.status_code == 200 and "Uploaded Welcome (1.5 s wav)" in ok.text
    [path] = _stored(sqlite_env, org)
    assert f'<audio controls preload="none" src="/api/v1/audio/{path.stem}/content"' in ok.text
    bad = await c.post(
        "/admin/audio",
        headers=hx,
        files={"file": ("broken.wav", corrupt_wav(), "audio/wav")},
        data={"kind": "greeting"},
    )
    assert bad.status_code == 422 and bad.headers["HX-Retarget"] == "#flash"
    assert "WAV format chunk is too short" in bad.text
    assert len(_stored(sqlite_env, org)) == 1 and await _rows(sqlite_env) == 1
    chosen = await c.post(
        "/admin/audio/settings", headers=hx, data={"kind": "greeting", "file_id": path.stem}
    )
    assert chosen.status_code == 200 and "Saved the default greeting." in chosen.text
    refused = await c.post(f"/admin/audio/{path.stem}/delete", headers=hx)
    assert refused.status_code == 409 and "default greeting" in refused.text
    assert path.exists()
