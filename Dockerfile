# The production image: `codegen serve` as a non-root user. Point it at PostgreSQL with DATABASE_URL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CODEGEN_HOST=0.0.0.0 \
    CODEGEN_PORT=8000 \
    CODEGEN_DATA_DIR=/var/lib/codegen

# bubblewrap: the sandbox that generated projects' tests run in
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends bubblewrap \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --home-dir /home/codegen --uid 10001 codegen \
    && mkdir -p /var/lib/codegen && chown codegen /var/lib/codegen

WORKDIR /app
COPY setup.cfg pyproject.toml README.md ./
COPY codegen ./codegen
COPY sql ./sql
# editable, so the package finds sql/ beside it
RUN pip install -e .

USER codegen
# the data folder (CODEGEN_DATA_DIR): an embedded database (no DATABASE_URL) and the development
# JWT secret outlive the container
VOLUME /var/lib/codegen
EXPOSE 8000
# on whatever port CODEGEN_PORT says (set at run time too)
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c 'import os, sys, urllib.request; port = os.environ.get("CODEGEN_PORT", "8000"); sys.exit(0 if urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2).status == 200 else 1)'

CMD ["codegen", "serve"]
