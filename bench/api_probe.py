"""``python -m bench.api_probe URL INTERVAL LIMIT``: GET ``URL``, one request every INTERVAL seconds, and print the latencies (seconds, JSON) at the end: after LIMIT
requests, or (LIMIT 0) when its stdin closes.

A process of its own, so that the benchmark's busy event loop (the paced model and the viewers)
does not add its lag to the API's latency.
"""

from __future__ import annotations

import asyncio
import sys
import time

import aiohttp
import orjson


async def probe(url: str, interval: float, limit: int) -> list[float]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    closed = asyncio.ensure_future(reader.read())
    latencies: list[float] = []
    async with aiohttp.ClientSession() as http:
        while not closed.done() and (not limit or len(latencies) < limit):
            started = time.monotonic()
            async with http.get(url) as response:
                await response.read()
                if response.status != 200:
                    raise SystemExit(f"{url} answered {response.status}")
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(interval)
    closed.cancel()
    return latencies


if __name__ == "__main__":
    url, interval, limit = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    sys.stdout.buffer.write(orjson.dumps(asyncio.run(probe(url, interval, limit))))
