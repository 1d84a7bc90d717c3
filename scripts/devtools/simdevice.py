"""A simulated customer device, and a stand-in for "the internet", on 127.0.0.1.

    python -m scripts.devtools.simdevice --port 18080 --internet-port 18081 \
        --control-port 18089

The device answers HTTP on --port ("system OK"). --internet-port is a TCP listener that
the demo's internet check probes. The control server on --control-port takes
POST /off and /on (the device), POST /internet/off and /internet/on, GET /state.
"""

import argparse
import asyncio
import signal

from aiohttp import web

HOST = "127.0.0.1"


class Device:
    """The device's HTTP listener, which can be taken down and brought back."""

    def __init__(self, port: int, body: str = "system OK") -> None:
        self.port = port
        self.body = body
        self._runner: web.AppRunner | None = None

    async def on(self) -> None:
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_get(
            "/{tail:.*}", lambda _request: web.Response(text="system OK")
        )
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, HOST, self.port, reuse_address=True).start()
        self._runner = runner

    async def off(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def state(self) -> str:
        return "on" if self._runner is not None else "off"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--internet-port", type=int, default=18081)
    parser.add_argument("--control-port", type=int, default=18089)
    args = parser.parse_args()

    targets = {"": Device(args.port), "internet/": Device(args.internet_port, "up")}
    for target in targets.values():
        await target.on()

    async def switch(request: web.Request) -> web.Response:
        what = "internet/" if request.path.startswith("/internet/") else ""
        target = targets[what]
        await (target.on() if request.match_info["state"] == "on" else target.off())
        print(f"simulated {what.rstrip('/') or 'device'}: {target.state}", flush=True)
        return web.json_response({"state": target.state})

    async def state(_request: web.Request) -> web.Response:
        return web.json_response(
            {
                "device": targets[""].state,
                "internet": targets["internet/"].state,
            }
        )

    control = web.Application()
    control.router.add_post("/{state:on|off}", switch)
    control.router.add_post("/internet/{state:on|off}", switch)
    control.router.add_get("/state", state)
    runner = web.AppRunner(control, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, HOST, args.control_port, reuse_address=True).start()
    print(
        f"simulated device on http://{HOST}:{args.port}/, internet stand-in on "
        f"{HOST}:{args.internet_port} (control: http://{HOST}:{args.control_port}/)",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for target in targets.values():
        await target.off()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
