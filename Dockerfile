# syntax=docker/dockerfile:1
# Followup: the API, the web client and (unless FOLLOWUP_RUN_WORKER=false) the worker.
#   docker build -t followup .
#   docker run -p 8000:8000 -v followup-var:/app/var followup

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtualenv with the pinned dependencies -----------------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

RUN python -m venv /opt/venv
WORKDIR /app
# The runtime dependencies, pinned by constraints.txt, in a layer of their own that is
# rebuilt only when they change (a stub package is enough to resolve them). Editable,
# because the app finds alembic/ and static/ next to its package at /app, where the
# runtime stage puts them.
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir app && touch app/__init__.py \
    && pip install -c constraints.txt -e .
COPY alembic.ini ./
COPY app ./app
# PYTHONDONTWRITEBYTECODE keeps the running container from writing .pyc files, so
# they are made here, or every start compiles app/ from source (about a tenth of the
# instructions to the first healthy response, by callgrind). The image never changes:
# skip the source check.
RUN python -m compileall -q --invalidation-mode unchecked-hash app

# --- runtime: no build tools, not root ---------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    FOLLOWUP_ENV=production

RUN groupadd --system --gid 10001 followup \
    && useradd --system --uid 10001 --gid followup --home-dir /app --no-create-home followup

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY alembic ./alembic
COPY static ./static
# The default SQLite database lives in /app/var; mount a volume there to keep it.
RUN mkdir -p /app/var && chown followup:followup /app/var
VOLUME ["/app/var"]

USER 10001:10001
EXPOSE 8000

# No curl in a slim image: ask the app with the Python that is already there.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# `serve` migrates first (safe to run from several containers: see README, Running at scale).
CMD ["followup", "serve", "--host", "0.0.0.0", "--port", "8000"]
