#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""delay_proxy.py: a loopback TCP proxy that adds a round-trip time, and counts round trips.

There is no tc netem on these machines (FIELD-NOTES): this stands in for a network with RTT ms of
round-trip time between a client on loopback and a server on loopback.

The model. A real client's connect() returns after one RTT and the server accepts half an RTT
later, when the client's ACK (and any data sent right behind it) arrives. Here the client's
connect() returns at once, so the proxy opens its upstream connection 1.5 RTT after accepting:
from the client's connect() call to the server's first byte reaching it is then 2 RTT, as on a
real network. Every chunk is delayed by RTT/2 in its direction (order kept), and no client byte
reaches the server before the upstream connection exists.

Counting. Per connection the proxy logs one line to --stats: c2s bytes, s2c bytes, and the round
trips the client waited for: 1 (the TCP handshake) + the number of server "flights" (runs of
server chunks with no client chunk between them). A MySQL probe that waits for the greeting
before its SSLRequest costs 3; one that pipelines the SSLRequest and ClientHello costs 2.

Bounded: it exits after --max-conns connections have ended, after --max-time seconds, or on
SIGTERM; at most --max-open connections are open at once (more wait in the listen queue).
Traffic: 127.0.0.0/8 only (listen and upstream).
"""
import argparse
import asyncio
import os
import signal
import sys
import time


def parse():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream-port", type=int, required=True)
    ap.add_argument("--upstream-host", default="127.0.0.1")
    ap.add_argument("--listen-port", type=int, default=0)
    ap.add_argument("--port-file", help="write the listening port here")
    ap.add_argument("--rtt-ms", type=float, default=20.0)
    ap.add_argument("--stats", help="append one line per connection: c2s s2c round_trips")
    ap.add_argument("--max-conns", type=int, default=100000)
    ap.add_argument("--max-time", type=float, default=600.0)
    ap.add_argument("--max-open", type=int, default=256)
    ap.add_argument("--listen-addrs", type=int, default=1,
                    help="listen on this many loopback addresses (127.0.0.1 upwards, as "
                    "bench/fleet.sh numbers them) at --listen-port, each forwarding to the same "
                    "address at --upstream-port")
    a = ap.parse_args()
    if not a.upstream_host.startswith("127.") and a.upstream_host != "::1":
        ap.error("upstream must be a loopback address")
    return a


class Conn:
    def __init__(self):
        self.c2s = 0
        self.s2c = 0
        self.flights = 0
        self.last = None  # direction of the last chunk seen: "c" or "s"


async def pump(reader, writer_fut, delay, conn, side, ready=None):
    """Reads chunks from reader and writes each, delay seconds after it came, to the writer
    writer_fut resolves to (after ready, when given)."""
    q = asyncio.Queue()

    async def sender():
        w = await writer_fut
        if ready is not None:
            await ready.wait()
        while True:
            due, data = await q.get()
            now = time.monotonic()
            if due > now:
                await asyncio.sleep(due - now)
            if data is None:
                try:
                    if w.can_write_eof():
                        w.write_eof()
                except (OSError, RuntimeError):
                    pass
                return
            try:
                w.write(data)
                await w.drain()
            except (OSError, ConnectionError):
                return

    task = asyncio.ensure_future(sender())
    try:
        while True:
            try:
                data = await reader.read(65536)
            except (OSError, ConnectionError):
                data = b""
            if not data:
                break
            if side == "c":
                conn.c2s += len(data)
            else:
                conn.s2c += len(data)
                if conn.last != "s":
                    conn.flights += 1
            conn.last = side
            q.put_nowait((time.monotonic() + delay, data))
    finally:
        q.put_nowait((time.monotonic() + delay, None))
        await task


async def main():
    a = parse()
    rtt = a.rtt_ms / 1000.0
    sem = asyncio.Semaphore(a.max_open)
    done = {"n": 0}
    stop = asyncio.Event()
    stats = open(a.stats, "a", buffering=1) if a.stats else None

    async def handle(creader, cwriter):
        async with sem:
            conn = Conn()
            loop = asyncio.get_running_loop()
            up_w = loop.create_future()
            up_ready = asyncio.Event()
            cw_fut = loop.create_future()
            cw_fut.set_result(cwriter)

            async def upstream():
                await asyncio.sleep(1.5 * rtt)
                try:
                    host = a.upstream_host
                    if a.listen_addrs > 1:  # the same address the client reached
                        host = cwriter.get_extra_info("sockname")[0]
                    r, w = await asyncio.open_connection(host, a.upstream_port)
                except OSError:
                    up_w.cancel()
                    cwriter.close()
                    return None
                up_w.set_result(w)
                up_ready.set()
                return r

            up_task = asyncio.ensure_future(upstream())
            c2s = asyncio.ensure_future(pump(creader, up_w, rtt / 2, conn, "c", up_ready))
            ureader = await up_task
            if ureader is not None:
                await pump(ureader, cw_fut, rtt / 2, conn, "s")
            try:
                await c2s
            except asyncio.CancelledError:
                pass
            for w in (cwriter, up_w.result() if up_w.done() and not up_w.cancelled() else None):
                if w is not None:
                    try:
                        w.close()
                    except OSError:
                        pass
            if stats:
                stats.write("%d %d %d\n" % (conn.c2s, conn.s2c, 1 + conn.flights))
            done["n"] += 1
            if done["n"] >= a.max_conns:
                stop.set()

    def addr(n):
        return "127.%d.%d.%d" % (n // 64516, n // 254 % 254, n % 254 + 1)

    servers = [await asyncio.start_server(handle, "127.0.0.1", a.listen_port, backlog=1024)]
    port = servers[0].sockets[0].getsockname()[1]
    for n in range(1, a.listen_addrs):
        servers.append(await asyncio.start_server(handle, addr(n), port, backlog=1024))
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, a.port_file)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), a.max_time)
    except asyncio.TimeoutError:
        print("delay_proxy: --max-time reached", file=sys.stderr)
    for server in servers:
        server.close()
    if stats:
        stats.close()


if __name__ == "__main__":
    asyncio.run(main())
