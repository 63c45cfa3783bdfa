"""The client's address, believing X-Forwarded-For only from configured proxies."""

from fastapi import Request

from axolotly.config import get_settings


def client_address(request: Request) -> str:
    peer = request.client.host if request.client else "unknown"
    trusted = get_settings().trusted_proxy_set
    if peer not in trusted:
        return peer
    forwarded = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    # Walk from the nearest hop back; the first address that is not our proxy is the client.
    for hop in reversed(forwarded):
        if hop not in trusted:
            return hop
    return peer
