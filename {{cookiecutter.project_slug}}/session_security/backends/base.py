"""What the hardened engines share."""

from session_security.keys import GENERATION_KEY


class SessionStoreUnavailable(Exception):
    """The session store cannot be reached; nobody can be authenticated."""


class RotationMixin:
    """Rotate the key of a live session, keeping the previous key briefly.

    ``cycle_key()`` deletes the old key at once, which signs out every request
    still in flight with it. ``rotate_key()`` instead rewrites the old entry
    to expire after ``grace`` seconds, still carrying the old generation, so
    that the middleware can serve those requests read-only until then.
    """

    def rotate_key(self, generation, grace):
        old_key = self.session_key
        old_data = dict(self.items())
        self[GENERATION_KEY] = generation
        self.create()
        if old_key:
            previous = type(self)(old_key)
            previous.clear()
            previous.update(old_data)
            previous.set_expiry(grace)
            previous.save()

    async def arotate_key(self, generation, grace):
        old_key = self.session_key
        old_data = dict(await self.aitems())
        await self.aset(GENERATION_KEY, generation)
        await self.acreate()
        if old_key:
            previous = type(self)(old_key)
            previous.clear()
            await previous.aupdate(old_data)
            await previous.aset_expiry(grace)
            await previous.asave()
