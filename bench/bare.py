"""The ceiling of the harness: a bare aiohttp handler that reads the activity and POSTs a reply.

No botbuilder, no database: what the load generator and stub connector allow on this machine.
Run as `python -m bench.bare --port N`.
"""

from __future__ import annotations

import argparse

import aiohttp
from aiohttp import web

SESSION = web.AppKey("session", aiohttp.ClientSession)


async def messages(request: web.Request) -> web.Response:
    activity = await request.json()
    reply = {"type": "message", "text": f"Echo: {activity.get('text')}", "replyToId": activity["id"],
             "conversation": activity["conversation"], "from": activity["recipient"],
             "recipient": activity["from"]}
    url = (f"{activity['serviceUrl'].rstrip('/')}/v3/conversations/{activity['conversation']['id']}"
           f"/activities/{activity['id']}")
    async with request.app[SESSION].post(url, json=reply) as answer:
        await answer.read()
    return web.Response(status=201)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = web.Application()

    async def session(app: web.Application):
        app[SESSION] = aiohttp.ClientSession()
        yield
        await app[SESSION].close()

    app.cleanup_ctx.append(session)
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
