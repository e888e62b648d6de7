"""Device-bound sessions (DBSC): a copied session cookie dies within minutes.

- ``protocol``: the headers, the proofs and the bound cookie;
- ``middleware``: the registration offer and the refresh challenge sent ahead;
- ``views`` and ``urls``: the registration and refresh endpoints.
"""
