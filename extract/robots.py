"""robots.txt: fetched once per origin, matched with our User-Agent's product token (protego).

Reads settings: `user_agent` (the token before the first `/` is matched against groups),
`obey_robots` (when off, every URL is allowed and Crawl-delay is ignored, but the Sitemap
lines are still read for discovery).

Unavailability follows RFC 9309 §2.3.1: a 4xx robots.txt means no rules (crawl freely); a
5xx or unreachable one means "assume complete disallow" — a server that cannot serve its
rules is not one to hammer — and every URL of that origin is quarantined `robots_disallowed`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from protego import Protego

from extract.urls import canonicalize, origin
from medcodes.settings import Settings


@dataclass(frozen=True)
class Resource:
    """A non-page fetch (robots.txt, sitemap): the final status and bytes, or why none."""

    url: str
    status: int | None
    body: bytes = b""
    error: str | None = None  # a Reason value when no usable response was had


ResourceFetcher = Callable[[str], Awaitable[Resource]]


@dataclass
class RobotsRules:
    """The rules of one origin as they apply to our agent."""

    parser: Protego | None
    agent: str
    obey: bool
    unavailable: str | None = None  # why everything is disallowed, when robots.txt failed
    sitemaps: list[str] = field(default_factory=list)

    def allowed(self, url: str) -> bool:
        if not self.obey:
            return True
        if self.unavailable is not None:
            return False
        return self.parser is None or self.parser.can_fetch(url, self.agent)

    @property
    def crawl_delay(self) -> float | None:
        if not self.obey or self.parser is None:
            return None
        delay = self.parser.crawl_delay(self.agent)
        return float(delay) if delay is not None else None


def agent_token(user_agent: str) -> str:
    """`medcodes/0.1 (+https://…)` → `medcodes`: robots.txt groups name products, not full headers."""
    return user_agent.split("/", 1)[0].split(" ", 1)[0].strip() or user_agent


def parse_robots(text: str, base_url: str, settings: Settings) -> RobotsRules:
    parser = Protego.parse(text)
    sitemaps = [canonicalize(s, base_url) for s in parser.sitemaps]
    return RobotsRules(parser, agent_token(settings.user_agent), settings.obey_robots, sitemaps=sitemaps)


class RobotsCache:
    """One `RobotsRules` per origin, fetched on first use; concurrent askers share one fetch."""

    def __init__(self, fetch: ResourceFetcher, settings: Settings) -> None:
        self._fetch = fetch
        self._settings = settings
        self._rules: dict[str, asyncio.Task[RobotsRules]] = {}

    async def rules_for(self, url: str) -> RobotsRules:
        key = origin(url)
        if key not in self._rules:
            self._rules[key] = asyncio.create_task(self._load(key))
        return await self._rules[key]

    async def _load(self, key: str) -> RobotsRules:
        robots_url = f"{key}/robots.txt"
        resource = await self._fetch(robots_url)
        agent = agent_token(self._settings.user_agent)
        obey = self._settings.obey_robots
        if resource.status is not None and 200 <= resource.status < 300:
            return parse_robots(resource.body.decode("utf-8", "replace"), robots_url, self._settings)
        if resource.status is not None and 400 <= resource.status < 500:
            return RobotsRules(None, agent, obey)
        why = f"robots.txt unavailable ({resource.error or f'HTTP {resource.status}'}); RFC 9309: assume disallow"
        return RobotsRules(None, agent, obey, unavailable=why)
