"""Open Badges 3.0 credentials (W3C Verifiable Credentials 2.0) secured as VC-JWT with Ed25519.

``documents``: the contexts and schemas, served from local copies only; ``signing``: the test
centre's keys and JWS; ``issuing``: the credential of a certificate; ``status_list``: the
revocation list; ``embedding``: the credential as an associated file of the supplement PDF.
"""
