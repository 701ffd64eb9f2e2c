"""Bearer tokens of API clients (RFC 6750). Unknown and revoked tokens get the same answer."""

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from heapprivacy.api.models import ApiClient
from heapprivacy.api.services import api_client_touch, token_hash

REALM = "heapprivacy"
MAX_TOKEN_LENGTH = 200  # ours are 47 characters; anything far longer is not worth hashing


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`. No header: anonymous (the view then answers 401)."""

    def authenticate(self, request: Request) -> tuple[ApiClient, ApiClient] | None:
        token = bearer_token(request)
        if token is None:
            return None
        client = ApiClient.objects.filter(token_hash=token_hash(token)).first()
        if client is None or not client.is_active:
            raise AuthenticationFailed("The token is unknown or revoked.")
        api_client_touch(client)
        return client, client

    def authenticate_header(self, request: Request) -> str:
        if _scheme(request) == b"bearer":
            return f'Bearer realm="{REALM}", error="invalid_token"'
        return f'Bearer realm="{REALM}"'


def bearer_token(request: Request) -> str | None:
    """The token of a Bearer Authorization header, None without one; refuses a malformed one."""
    if _scheme(request) != b"bearer":
        return None
    header = get_authorization_header(request).split()
    if len(header) != 2:
        raise AuthenticationFailed("Send the token as `Authorization: Bearer <token>`.")
    token = header[1]
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise AuthenticationFailed("The token is unknown or revoked.")
    return token.decode("ascii")


def _scheme(request: Request) -> bytes:
    header = get_authorization_header(request).split()
    return header[0].lower() if header else b""
