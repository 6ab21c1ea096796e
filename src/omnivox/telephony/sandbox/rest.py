"""The sandbox's emulation of Twilio's REST API (2010-04-01), as a FastAPI router.

SIMULATED. Calls, Conferences, Participants and call/conference Recordings, with HTTP basic
auth (account SID + auth token, or API key SID + secret), form-encoded bodies and
Twilio-shaped JSON, so the unmodified ``twilio`` SDK can drive it. Other resources answer
404 with Twilio's error shape.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from omnivox.telephony.sandbox import conferences, interpreter, recordings
from omnivox.telephony.sandbox.carrier import SandboxCarrier
from omnivox.telephony.sandbox.model import SandboxAccount, SandboxCall, SandboxParticipant
from omnivox.telephony.sandbox.resources import (
    call_json,
    conference_json,
    error_json,
    page_json,
    participant_json,
    recording_json,
)


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def not_found(what: str) -> ApiError:
    return ApiError(404, 20404, f"The requested resource {what} was not found")


Form = dict[str, str]
Lists = dict[str, list[str]]
Handler = Callable[[SandboxAccount, Form, Lists], Awaitable[tuple[int, Any]]]


def sandbox_rest_router(carrier: SandboxCarrier) -> APIRouter:
    """Routes under ``/2010-04-01/Accounts/{AccountSid}/``; mount it under any prefix and
    give that base to the provider's ``HttpxTwilioHttpClient(base_url=...)``."""
    router = APIRouter(prefix="/2010-04-01/Accounts/{account_sid}", tags=["sandbox carrier"])
    ops = _Operations(carrier)

    def route(path: str, method: str, handler: Callable[..., Handler]) -> None:
        async def endpoint(request: Request) -> Response:
            return await _serve(carrier, request, handler(**_path_args(request)))

        router.add_api_route(path, endpoint, methods=[method], include_in_schema=False)

    route("/Calls.json", "POST", lambda account_sid: ops.create_call)
    route("/Calls.json", "GET", lambda account_sid: ops.list_calls)
    route("/Calls/{sid}.json", "GET", lambda account_sid, sid: ops.fetch_call(sid))
    route("/Calls/{sid}.json", "POST", lambda account_sid, sid: ops.update_call(sid))
    route("/Calls/{sid}/Recordings.json", "POST", lambda account_sid, sid: ops.record(sid))
    route(
        "/Calls/{sid}/Recordings/{rec}.json",
        "POST",
        lambda account_sid, sid, rec: ops.update_recording(rec, call_sid=sid),
    )
    route("/Conferences.json", "GET", lambda account_sid: ops.list_conferences)
    route("/Conferences/{cf}.json", "GET", lambda account_sid, cf: ops.fetch_conference(cf))
    route("/Conferences/{cf}.json", "POST", lambda account_sid, cf: ops.update_conference(cf))
    route(
        "/Conferences/{cf}/Recordings/{rec}.json",
        "POST",
        lambda account_sid, cf, rec: ops.update_recording(rec, conference_sid=cf),
    )
    part = "/Conferences/{cf}/Participants"
    route(part + ".json", "POST", lambda account_sid, cf: ops.add_participant(cf))
    route(part + ".json", "GET", lambda account_sid, cf: ops.list_participants(cf))
    for method, op in (("GET", "fetch"), ("POST", "update"), ("DELETE", "remove")):
        route(
            part + "/{call}.json",
            method,
            lambda account_sid, cf, call, op=op: ops.participant(op, cf, call),
        )
    return router


def _path_args(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in request.path_params.items()}


async def _serve(carrier: SandboxCarrier, request: Request, handler: Handler) -> Response:
    account_sid = str(request.path_params["account_sid"])
    try:
        account = _authenticate(carrier, request, account_sid)
        form = await request.form()
        params: Form = {k: str(v) for k, v in form.items()}
        lists: Lists = {k: [str(v) for v in form.getlist(k)] for k in form}
        params.update({k: str(v) for k, v in request.query_params.items()})
        status, body = await handler(account, params, lists)
    except ApiError as exc:
        return JSONResponse(error_json(exc.status, exc.code, exc.message), exc.status)
    if body is None:
        return Response(status_code=status)
    return JSONResponse(body, status)


def _authenticate(carrier: SandboxCarrier, request: Request, account_sid: str) -> SandboxAccount:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    try:
        username, _, password = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        username = password = ""
    account = None
    if scheme.lower() == "basic":
        account = carrier.authenticate(account_sid, username, password)
    if account is None:
        raise ApiError(401, 20003, "Authenticate")
    return account


class _Operations:
    def __init__(self, carrier: SandboxCarrier) -> None:
        self.c = carrier

    def _call(self, account: SandboxAccount, sid: str) -> SandboxCall:
        try:
            return self.c.get_call(account, sid)
        except KeyError:
            raise not_found(f"/Calls/{sid}.json") from None

    async def create_call(self, account: SandboxAccount, p: Form, lists: Lists) -> tuple[int, Any]:
        for name in ("To", "From"):
            if not p.get(name):
                raise ApiError(400, 21201 if name == "To" else 21603, f"'{name}' is required")
        if not (p.get("Url") or p.get("Twiml")):
            raise ApiError(
                400, 21205, "Either 'Url' or 'Twiml' is required (ApplicationSid is not emulated)"
            )
        call = self.c.new_call(account, from_=p["From"], to=p["To"], direction="outbound-api")
        call.url, call.twiml = p.get("Url"), p.get("Twiml")
        call.timeout_seconds = int(p.get("Timeout", "60"))
        self.c.set_status_callback(
            call, p.get("StatusCallback"), lists.get("StatusCallbackEvent", [])
        )
        self.c.set_amd(call, p)
        call.tasks.append(self.c.runtime.spawn(interpreter.run_outbound(self.c, call)))
        return 201, call_json(self.c, call)

    async def list_calls(self, account: SandboxAccount, p: Form, _l: Lists) -> tuple[int, Any]:
        filters = {
            "To": "to",
            "From": "from_",
            "Status": "status",
            "ParentCallSid": "parent_call_sid",
        }
        calls = [
            call_json(self.c, call)
            for call in self.c.calls.values()
            if call.account_sid == account.account_sid
            and all(getattr(call, attr) == p[key] for key, attr in filters.items() if key in p)
        ]
        return 200, page_json(
            "calls", calls, f"/2010-04-01/Accounts/{account.account_sid}/Calls.json"
        )

    def fetch_call(self, sid: str) -> Handler:
        async def run(account: SandboxAccount, _p: Form, _l: Lists) -> tuple[int, Any]:
            return 200, call_json(self.c, self._call(account, sid))

        return run

    def update_call(self, sid: str) -> Handler:
        async def run(account: SandboxAccount, p: Form, _l: Lists) -> tuple[int, Any]:
            call = self._call(account, sid)
            status = p.get("Status")
            if call.is_final and (status or p.get("Url") or p.get("Twiml")):
                raise ApiError(400, 21220, "Call is not in-progress. Cannot redirect.")
            if status in ("completed", "canceled"):
                answered = call.start_time is not None
                if status == "canceled" and answered:
                    raise ApiError(400, 21220, "Call is in-progress; use Status=completed")
                self.c.end_call(call, "completed" if answered else "canceled", HungUpBy="api")
            elif p.get("Url") or p.get("Twiml"):
                if call.start_time is None:
                    raise ApiError(400, 21220, "Call is not in-progress. Cannot redirect.")
                source = interpreter.Source(url=p.get("Url"), twiml=p.get("Twiml"))
                self.c.log(call, "redirected", url=source.url, inline=source.twiml is not None)
                interpreter.start_document(self.c, call, source)
            if p.get("StatusCallback"):
                self.c.set_status_callback(call, p["StatusCallback"], [])
            return 200, call_json(self.c, call)

        return run

    def record(self, sid: str) -> Handler:
        async def run(account: SandboxAccount, p: Form, lists: Lists) -> tuple[int, Any]:
            call = self._call(account, sid)
            if call.is_final or call.start_time is None:
                raise ApiError(400, 21220, "Requested resource is not eligible for recording")
            events = [e for v in lists.get("RecordingStatusCallbackEvent", []) for e in v.split()]
            rec = recordings.start(
                self.c,
                account,
                call_sid=call.sid,
                callback_url=p.get("RecordingStatusCallback"),
                events=events or ["completed"],
            )
            return 201, recording_json(self.c, rec)

        return run

    def update_recording(
        self, rec_sid: str, *, call_sid: str | None = None, conference_sid: str | None = None
    ) -> Handler:
        async def run(account: SandboxAccount, p: Form, _l: Lists) -> tuple[int, Any]:
            live = [
                r
                for r in self.c.recordings.values()
                if r.account_sid == account.account_sid
                and (call_sid is None or r.call_sid == call_sid)
                and (conference_sid is None or r.conference_sid == conference_sid)
                and (
                    r.sid == rec_sid
                    or (rec_sid == "Twilio.CURRENT" and r.status in recordings.LIVE)
                )
            ]
            if not live:
                raise not_found(f"/Recordings/{rec_sid}.json")
            status = p.get("Status", "")
            if status not in ("paused", "in-progress", "stopped"):
                raise ApiError(400, 21218, f"Invalid recording status {status!r}")
            try:
                recordings.set_status(self.c, live[-1], status)
            except ValueError as exc:
                raise ApiError(400, 21220, str(exc)) from None
            return 200, recording_json(self.c, live[-1])

        return run

    async def list_conferences(
        self, account: SandboxAccount, p: Form, _l: Lists
    ) -> tuple[int, Any]:
        found = [
            conference_json(self.c, conf)
            for conf in self.c.conferences.values()
            if conf.account_sid == account.account_sid
            and p.get("FriendlyName", conf.friendly_name) == conf.friendly_name
            and p.get("Status", conf.status) == conf.status
        ]
        uri = f"/2010-04-01/Accounts/{account.account_sid}/Conferences.json"
        return 200, page_json("conferences", found, uri)

    def _conference(self, account: SandboxAccount, sid: str) -> Any:
        conf = self.c.conferences.get(sid)
        if conf is None or conf.account_sid != account.account_sid:
            raise not_found(f"/Conferences/{sid}.json")
        return conf

    def fetch_conference(self, sid: str) -> Handler:
        async def run(account: SandboxAccount, _p: Form, _l: Lists) -> tuple[int, Any]:
            return 200, conference_json(self.c, self._conference(account, sid))

        return run

    def update_conference(self, sid: str) -> Handler:
        async def run(account: SandboxAccount, p: Form, _l: Lists) -> tuple[int, Any]:
            conf = self._conference(account, sid)
            if p.get("Status") == "completed":
                await conferences.end(self.c, conf)
            return 200, conference_json(self.c, conf)

        return run

    def add_participant(self, ref: str) -> Handler:
        async def run(account: SandboxAccount, p: Form, lists: Lists) -> tuple[int, Any]:
            if not (p.get("From") and p.get("To")):
                raise ApiError(400, 21603, "'From' and 'To' are required")
            conf = conferences.get_or_create(self.c, account, ref)
            if conferences.label_in_use(self.c, conf, p.get("Label")):
                raise ApiError(400, 16026, "Participant label is in use by another participant")
            conferences.set_callback(
                conf,
                p.get("ConferenceStatusCallback"),
                _events(lists, "ConferenceStatusCallbackEvent"),
            )
            call = self.c.new_call(account, from_=p["From"], to=p["To"], direction="outbound-api")
            call.timeout_seconds = int(p.get("Timeout", "60"))
            self.c.set_status_callback(
                call, p.get("StatusCallback"), _events(lists, "StatusCallbackEvent")
            )
            participant = SandboxParticipant(
                call_sid=call.sid,
                label=p.get("Label"),
                start_conference_on_enter=_true(p, "StartConferenceOnEnter", True),
                end_conference_on_exit=_true(p, "EndConferenceOnExit", False),
                muted=_true(p, "Muted", False),
                coaching=_true(p, "Coaching", False),
                call_sid_to_coach=p.get("CallSidToCoach"),
                status="queued",
            )
            conf.connecting[call.sid] = participant
            task = self.c.runtime.spawn(
                conferences.add_participant_call(self.c, call, conf, participant)
            )
            call.tasks.append(task)
            return 201, participant_json(self.c, conf, participant)

        return run

    def list_participants(self, cf: str) -> Handler:
        async def run(account: SandboxAccount, _p: Form, _l: Lists) -> tuple[int, Any]:
            conf = self._conference(account, cf)
            items = [participant_json(self.c, conf, x) for x in conf.participants.values()]
            uri = f"/2010-04-01/Accounts/{account.account_sid}/Conferences/{cf}/Participants.json"
            return 200, page_json("participants", items, uri)

        return run

    def participant(self, op: str, cf: str, call_sid: str) -> Handler:
        async def run(account: SandboxAccount, p: Form, _l: Lists) -> tuple[int, Any]:
            conf = self._conference(account, cf)
            found = conf.participants.get(call_sid)
            if found is None:
                raise not_found(f"/Conferences/{cf}/Participants/{call_sid}.json")
            if op == "update":
                await conferences.update_participant(self.c, conf, found, p)
            elif op == "remove":
                await conferences.leave(self.c, conf, call_sid)
                return 204, None
            return 200, participant_json(self.c, conf, found)

        return run


def _events(lists: Lists, name: str) -> list[str]:
    # The SDK repeats the field; curl users often send one space-separated value.
    return [e for value in lists.get(name, []) for e in value.split()]


def _true(p: Form, name: str, default: bool) -> bool:
    return p[name].lower() == "true" if name in p else default
