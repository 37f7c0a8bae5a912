# mcred: the HTTP service on SQLite (mount /data and /keys), or PostgreSQL via MCRED_DATABASE_URL.
FROM python:3.11-slim

WORKDIR /srv/mcred
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    MCRED_DATABASE_URL=sqlite:////data/mcred.sqlite3 \
    MCRED_KEYS_DIR=/keys \
    MCRED_PUBLIC_URL=http://127.0.0.1:8000

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY alembic ./alembic
COPY contexts/index.json contexts/README.md ./contexts/
RUN pip install --no-cache-dir -e . \
 && useradd --system --uid 10001 mcred \
 && mkdir -p /data /keys && chown mcred /data /keys

# The pinned JSON-LD contexts, fetched from their canonical URLs and checked against contexts/index.json.
# (To build offline, copy a mirror folder in and set MCRED_CONTEXT_MIRRORS instead.)
RUN mcred setup-contexts --download

USER mcred
VOLUME ["/data", "/keys"]
EXPOSE 8000
CMD ["mcred", "serve", "--host", "0.0.0.0", "--port", "8000"]
