# mcred: the HTTP service (see README, "Deployment").
#   docker build -t mcred .
#   docker run --rm  -e MCRED_DATABASE_URL=... mcred mcred migrate           # a step of its own, before serving
#   docker run -d -p 8000:8000 -e MCRED_PUBLIC_URL=https://mcred.example.lv -e MCRED_DATABASE_URL=... \
#              -v mcred-keys:/keys mcred
# MCRED_PUBLIC_URL is required (MCRED_ENV=production): it names the DIDs, status lists and links signed into
# every credential. Without MCRED_DATABASE_URL the database is SQLite in the /data volume (one container only).
FROM python:3.11-slim

WORKDIR /srv/mcred
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    MCRED_ENV=production \
    MCRED_DATABASE_URL=sqlite:////data/mcred.sqlite3 \
    MCRED_KEYS_DIR=/keys \
    MCRED_CONTEXTS_DIR=/srv/mcred/contexts

# The fonts the PDF certificates embed (DejaVu: Latvian letters), from Debian's packages.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*

# The locked, hash-checked dependencies, then mcred itself installed as a package (no source tree at run time).
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-cache-dir --no-deps . \
 && rm -rf app build pyproject.toml README.md \
 && useradd --system --uid 10001 mcred \
 && mkdir -p /data /keys && chown mcred /data /keys && chmod 0700 /data /keys

# The pinned JSON-LD contexts, fetched from their canonical URLs and checked against the pins.
# (To build offline, copy a mirror folder in and set MCRED_CONTEXT_MIRRORS instead of --download.)
RUN mcred setup-contexts --download

USER mcred
VOLUME ["/data", "/keys"]
EXPOSE 8000
# Liveness (/health). Load balancers should use /ready, which also checks the database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["mcred", "healthcheck"]
CMD ["mcred", "serve", "--host", "0.0.0.0", "--port", "8000"]
