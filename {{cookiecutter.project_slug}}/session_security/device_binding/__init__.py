"""Device-bound sessions (DBSC): a copied session cookie dies within minutes.

- ``protocol``: the headers, the challenges and the bound cookie;
- ``proofs``: the browser's signed registration and refresh proofs;
- ``models``: the key a session is bound to;
- ``middleware``: the registration offer and the refresh challenge sent ahead;
- ``views`` and ``urls``: the registration and refresh endpoints.
"""
