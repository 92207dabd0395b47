"""Where each kind of principal calls from: addresses, user agents, transport."""

from __future__ import annotations

import random

from trailmask.synth import catalog as cat
from trailmask.synth.actors import Origin


def home_regions(home: str) -> tuple[str, ...]:
    """Weighted region choices for an actor based in ``home``."""
    return (home,) * 8 + cat.REGIONS


def human_origins(rng: random.Random) -> tuple[Origin, ...]:
    """CLI, console and browser origins from a person's two or three addresses."""
    ips = rng.sample(cat.HUMAN_IPS, rng.randint(2, 3))
    cli = rng.choice(cat.CLI_AGENTS)
    origins: list[Origin] = []
    for ip in ips:
        origins.append(Origin(ip, cli, cli=True, tls=cat.TLS13))
        origins.append(Origin(ip, cli, cli=True, tls=cat.TLS13))
        origins.append(Origin(ip, rng.choice(cat.CONSOLE_AGENTS), console=True, tls=cat.TLS13))
        origins.append(Origin(ip, rng.choice(cat.BROWSER_AGENTS), console=True, tls=cat.TLS13_256))
    return tuple(origins)


def machine_origins(rng: random.Random, agent: str, vpce: bool) -> tuple[Origin, ...]:
    """Origins of automation from AWS-looking public addresses (and a VPC endpoint)."""
    tls = rng.choice((cat.TLS12, cat.TLS13))
    cli = agent.endswith("command/") or agent.endswith("md/command#")
    origins = [Origin(ip, agent, cli=cli, tls=tls) for ip in rng.sample(cat.AUTOMATION_IPS, 2)]
    if vpce:
        endpoint = f"vpce-{rng.getrandbits(68):017x}"
        origins += [Origin(ip, agent, tls=tls, vpce=endpoint) for ip in cat.PRIVATE_IPS[:2]]
    return tuple(origins)


def service_origin(name: str) -> tuple[Origin, ...]:
    """Service calls come from and identify as the service principal."""
    return (Origin(name, name),)


def attacker_origins(rng: random.Random) -> tuple[Origin, ...]:
    """Origins of the intruder: anonymising addresses and Kali user agents."""
    return tuple(
        Origin(ip, agent, cli=agent.endswith("command/"), tls=cat.TLS12)
        for ip in cat.ATTACKER_IPS
        for agent in cat.ATTACKER_AGENTS
    )
