"""Device-bound sessions (DBSC): a copied session cookie dies within minutes."""
