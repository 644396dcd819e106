"""gunicorn's settings for production: ``gunicorn -c deploy/gunicorn.conf.py diethnos.wsgi``.

gunicorn sits behind nginx (deploy/nginx.conf), which reads every request body and header in
full before it passes the request on: a slow client holds an nginx connection, which costs
nginx next to nothing, never a gunicorn thread. Do not expose gunicorn to the Internet directly.
Environment variables override the defaults below.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Processes give the site its CPU parallelism (Python runs one thread at a time per process);
# threads let a process serve other requests while one waits on PostgreSQL, Redis or the disk.
# gthread rather than sync workers: a sync worker is one request at a time, so a few requests
# that wait (on a slow client, should one reach gunicorn despite the proxy, or on a slow query)
# take the whole worker, and the site, with them.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A worker process that stops answering its master for this long is killed and replaced (with
# gthread it measures the process, not one request). 30 s is longer than any page takes,
# including an image upload being re-encoded into its renditions.
timeout = 30
# On a restart (deploy, HUP), requests under way get this long to finish.
graceful_timeout = 30
# nginx keeps connections to gunicorn open between requests; gunicorn keeps them longer (5 s)
# than nginx does (keepalive_timeout 4s in deploy/nginx.conf), so nginx never sends a request
# on a connection gunicorn is closing.
keepalive = 5
# Restart each worker now and then (staggered), so that a slow leak never grows large. Cached
# pages are answered in well under a millisecond, so a worker serves tens of thousands of
# requests a minute at peak: a lower figure would restart workers every few seconds, and each
# restart costs more than a leak would.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10

# The request line and headers: gunicorn's own defaults, stated; nginx's limits
# (large_client_header_buffers 4 8k) are the same, so what passes nginx passes here.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# X-Forwarded-Proto is believed only from these addresses (the proxy); Django and the sign-in
# throttle read the same list (DJANGO_TRUSTED_PROXIES, README "Configuration").
forwarded_allow_ips = os.environ.get("DJANGO_TRUSTED_PROXIES", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
