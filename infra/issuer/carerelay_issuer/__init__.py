"""A development OpenID Connect issuer: what NHS CIS2, Microsoft Entra or Keycloak are in production.

It signs RS256 access and ID tokens with a key of its own, publishes the public key as a JWKS and a
discovery document, signs the demo people in with the authorisation code flow and PKCE (no
passwords: pick a person), and issues client-credentials tokens to integrating systems.
"""
