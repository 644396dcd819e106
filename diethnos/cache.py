"""A Redis cache that never takes the site down with it.

The cache only ever holds copies (rendered pages, the date of the next scheduled publication,
image rendition states), so when Redis cannot be reached every operation behaves as a miss:
reads return the default, writes store nothing, and the request carries on uncached. Each
failure is counted (``cache_errors()``, shown by ``/healthz``) and logged, at most once a
minute. After a failure Redis is left alone for ``RETRY_AFTER`` seconds, so a dead or
unreachable server costs a request nothing rather than a connection timeout per operation.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER = 1.0  # seconds without trying Redis after a failure
LOG_EVERY = 60.0  # seconds between two log messages about failures


class _Outage:
    """Failures of this process's cache, shared by its threads (Django gives each thread its
    own cache object)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.errors = 0
        self.skipped = 0
        self.retry_at = 0.0
        self.logged_at = None
        self.errors_at_last_log = 0

    def failed(self, operation, error):
        now = time.monotonic()
        with self.lock:
            self.errors += 1
            self.retry_at = now + RETRY_AFTER
            if self.logged_at is not None and now - self.logged_at < LOG_EVERY:
                return
            unlogged = self.errors - self.errors_at_last_log - 1
            self.logged_at = now
            self.errors_at_last_log = self.errors
        logger.error(
            "Cache unavailable (%s failed: %s); serving without it. %d earlier failures "
            "not logged.",
            operation,
            error,
            unlogged,
        )


_outage = _Outage()


def cache_errors():
    """The number of failed attempts to reach Redis in this process since it started (an int;
    the operations skipped in the second after a failure are not attempts)."""
    return _outage.errors


def cache_misses_by_outage():
    """The number of operations of this process that did not reach Redis, failed or skipped
    (an int): when it has not changed across an operation, that operation reached Redis."""
    return _outage.errors + _outage.skipped


class _ReusedClient(RedisCacheClient):
    """Django's Redis client maker, which makes one ``redis.Redis`` per connection pool and
    reuses it (it is thread-safe), rather than one per operation."""

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(index)
        if client is None:
            client = clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class FailSafeRedisCache(RedisCache):
    """Django's Redis cache, for which an unreachable Redis is a cache miss, not an error.

    Every operation of Django's cache API answers as an empty cache would when Redis fails
    (``redis.exceptions.RedisError``: refused or timed-out connections, a read-only replica,
    an out-of-memory refusal): ``get`` returns the default, ``set``, ``add`` and ``delete``
    return False, ``incr`` raises ValueError as for a missing key. Use short socket timeouts
    in OPTIONS (settings.py sets them) so that a server that does not answer costs
    milliseconds.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClient
        self._reader = threading.local()

    def _attempt(self, operation, fallback, *args, **kwargs):
        return self._call(operation, fallback, getattr(super(), operation), *args, **kwargs)

    def _call(self, operation, fallback, function, *args, **kwargs):
        if time.monotonic() < _outage.retry_at:
            _outage.skipped += 1
            return fallback
        try:
            return function(*args, **kwargs)
        except RedisError as error:
            _outage.failed(operation, error)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("add", False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._attempt("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, self._get_many, keys, version)

    def _get_many(self, keys, version):
        # Django's, without the check of each key's characters for memcached (which costs
        # more than the rest on a cached page's path): Redis takes any key.
        if not keys:
            return {}  # MGET with no key is an error in Redis, not an empty answer
        made = [self.make_key(key, version=version) for key in keys]
        values = self._mget(made)
        loads = self._cache._serializer.loads
        found = zip(keys, values, strict=True)
        return {key: loads(value) for key, value in found if value is not None}

    def _mget(self, made):
        """The values of the keys ``made`` (list), None for each missing. Every cached page is
        looked up here: with one server, on a connection of this thread's own, which skips the
        client's and the pool's work around each command (two thirds of the time a lookup takes
        in Python). Raises RedisError if Redis cannot be reached."""
        if len(self._cache._servers) > 1:
            return self._cache.get_client().mget(made)  # a replica, chosen for each read
        connection = getattr(self._reader, "connection", None)
        if connection is None:
            pool = self._cache._get_connection_pool(write=False)
            connection = self._reader.connection = pool.make_connection()
        try:
            return self._send_mget(connection, made)
        except RedisConnectionError:
            # Redis may have restarted since this connection's last lookup: once more, anew.
            return self._send_mget(connection, made)

    @staticmethod
    def _send_mget(connection, made):
        try:
            connection.send_command("MGET", *made)
            return connection.read_response()
        except BaseException:
            connection.disconnect()  # a reply may be left half read
            raise

    def has_key(self, key, version=None):
        return self._attempt("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._attempt("incr", missing, key, delta, version)
        if value is missing:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        self._attempt("delete_many", None, keys, version)

    def clear(self):
        return self._attempt("clear", False)

    # Sets of keys, for the page cache's tags (diethnos/page_cache.py). Redis adds to a set
    # and empties it atomically, so that two servers tagging and purging at once lose nothing.

    def add_to_sets(self, member, names, timeout):
        """Add the key ``member`` to the set of each of ``names`` (str), each set kept
        ``timeout`` seconds from now. Returns nothing; stores nothing if Redis fails."""
        self._call("add_to_sets", None, self._add_to_sets, member, names, timeout)

    def delete_sets_and_members(self, names):
        """Delete the sets ``names`` and every key they hold. Returns how many keys were
        deleted, or None if Redis failed."""
        return self._call("delete_sets_and_members", None, self._delete_sets, names)

    def _add_to_sets(self, member, names, timeout):
        client = self._cache.get_client(write=True)
        member = self.make_and_validate_key(member)
        with client.pipeline(transaction=False) as pipe:
            for name in names:
                name = self.make_and_validate_key(name)
                pipe.sadd(name, member)
                pipe.expire(name, timeout)
            pipe.execute()

    def _delete_sets(self, names):
        client = self._cache.get_client(write=True)
        names = [self.make_and_validate_key(name) for name in names]
        with client.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.smembers(name)
            members = set().union(*pipe.execute())
        return client.delete(*members, *names)
