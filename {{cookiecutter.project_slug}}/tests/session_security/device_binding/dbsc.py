"""What a DBSC browser does, in Python: a key pair, registration and refresh.

Used by the protocol tests to play both Chrome and the attacker (who holds
every cookie but not the private key).
"""

import re

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

BOUND_COOKIE = "__Host-sessionbound"
PARAMETER = re.compile(r'(\w+)="([^"]*)"')


def registration_offer(response):
    """The parameters of a ``Secure-Session-Registration`` header, or ``None``."""
    header = response.headers.get("Secure-Session-Registration")
    if header is None:
        return None
    offer = dict(PARAMETER.findall(header))
    offer["algorithms"] = header[header.index("(") + 1 : header.index(")")].split()
    return offer


def challenge_of(response):
    """The challenge in a 403 ``Secure-Session-Challenge: "<c>";id="<id>"`` answer."""
    return response.headers["Secure-Session-Challenge"].split('"')[1]


class BrowserKey:
    def __init__(self, algorithm="ES256"):
        self.algorithm = algorithm
        if algorithm == "ES256":
            self.private = ec.generate_private_key(ec.SECP256R1())
            self.public_jwk = jwt.algorithms.ECAlgorithm.to_jwk(
                self.private.public_key(), as_dict=True
            )
        else:
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.public_jwk = jwt.algorithms.RSAAlgorithm.to_jwk(
                self.private.public_key(), as_dict=True
            )

    def registration_proof(self, challenge, authorization):
        return jwt.encode(
            {"authorization": authorization, "jti": challenge},
            self.private,
            algorithm=self.algorithm,
            headers={"typ": "dbsc+jwt", "jwk": self.public_jwk},
        )

    def refresh_proof(self, challenge):
        return jwt.encode(
            {"jti": challenge}, self.private, algorithm=self.algorithm, headers={"typ": "dbsc+jwt"}
        )


class DbscBrowser:
    """A test client plus a device key, speaking DBSC like Chrome 156."""

    def __init__(self, client, algorithm="ES256"):
        self.client = client
        self.key = BrowserKey(algorithm)
        self.session_id = None
        # The last challenge a response sent ahead, as Chrome keeps it.
        self.cached_challenge = None
        self.refresh_requests = 0

    def remember(self, response):
        if "Secure-Session-Challenge" in response.headers:
            self.cached_challenge = challenge_of(response)
        return response

    def register(self, offer):
        proof = self.key.registration_proof(offer["challenge"], offer["authorization"])
        response = self.client.post(offer["path"], headers={"Secure-Session-Response": proof})
        if response.status_code == 200:
            self.session_id = response.json()["session_identifier"]
        return self.remember(response)

    def ask_challenge(self, session_id=None):
        self.refresh_requests += 1
        return self.remember(
            self.client.post(
                "/dbsc/refresh", headers={"Sec-Secure-Session-Id": session_id or self.session_id}
            )
        )

    def send_proof(self, proof, session_id=None):
        self.refresh_requests += 1
        return self.remember(
            self.client.post(
                "/dbsc/refresh",
                headers={
                    "Sec-Secure-Session-Id": session_id or self.session_id,
                    "Secure-Session-Response": proof,
                },
            )
        )

    def refresh(self):
        """As Chrome: sign the challenge sent ahead, or ask for one first (403)."""
        if self.cached_challenge:
            challenge, self.cached_challenge = self.cached_challenge, None
            answer = self.send_proof(self.key.refresh_proof(challenge))
            if answer.status_code != 403:
                return answer
            return self.send_proof(self.key.refresh_proof(challenge_of(answer)))
        first = self.ask_challenge()
        if first.status_code != 403:
            return first
        return self.send_proof(self.key.refresh_proof(challenge_of(first)))
