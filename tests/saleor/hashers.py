"""A password hasher that counts its calls, to assert where no password is hashed."""

from saleor.tests.dummy_password_hasher import DummyHasher


class CountingHasher(DummyHasher):
    """Saleor's test hasher (``dummy$<password>``), counting encodes and verifies."""

    calls = 0

    def encode(self, password, *args):
        type(self).calls += 1
        return super().encode(password, *args)

    def verify(self, password, encoded):
        type(self).calls += 1
        return super().verify(password, encoded)
