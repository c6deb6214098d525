"""Open Badges 3.0 credentials (W3C Verifiable Credentials 2.0), each secured twice (decision 0020):
as a VC-JWT (RS256) and with a Data Integrity proof (eddsa-rdfc-2022).

``documents``: the contexts and schemas, served from local copies only; ``signing``: the test
centre's keys, the JWS and the proofs; ``data_integrity``: the eddsa-rdfc-2022 algorithm;
``achievements``: what each kind of proof claims, and the achievements the portal publishes;
``issuing``: the credential of a certificate; ``status_list``: the revocation list;
``embedding``: the credential as associated files of the supplement PDF.
"""
