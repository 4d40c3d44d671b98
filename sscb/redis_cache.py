"""Django's Redis cache, with one Redis client for each of its connection pools.

Django's ``RedisCacheClient`` makes a new ``redis.Redis`` for every call, and making one (its
table of some 170 response callbacks) was 40% of reading a key: a signed-in page reads three or
four (its session, the figures' generation, its kept parts). A client holds no connection of its
own, only its pool, and each thread has its own cache object (``django.core.cache.caches``), so
one client a pool is what Django's would be, made once.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _KeptClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClients
