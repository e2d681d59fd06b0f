# cme-bot: the Teams bot for the Children Missing Education procedure. See docs/deployment.md.
#   docker build -t cme-bot .
#   docker run -p 3978:3978 --env-file cme-bot.env cme-bot
# Configuration comes from the environment at run time (MicrosoftAppId, MicrosoftAppPassword,
# MicrosoftAppType, MicrosoftAppTenantId, DATABASE_URL, ...): nothing secret is built into the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3978

RUN groupadd --system --gid 10001 cme \
    && useradd --system --uid 10001 --gid cme --home-dir /app --no-create-home --shell /usr/sbin/nologin cme

WORKDIR /src
COPY pyproject.toml README.md ./
COPY cme ./cme
COPY storage ./storage
COPY cards ./cards
COPY bot ./bot
COPY manifest ./manifest
RUN pip install --no-cache-dir . \
    && rm -rf /src

# The working directory of the bot; the SQLite default (var/cme-bot.db) would live here, but a
# deployment uses PostgreSQL (DATABASE_URL). The example term dates are kept for `calendar import`.
WORKDIR /app
COPY config/term-dates.example.toml ./config/term-dates.example.toml
RUN mkdir -p /app/var && chown -R cme:cme /app/var

USER 10001:10001
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://localhost:%s/healthz' % os.environ.get('PORT', '3978'), timeout=4)"]
CMD ["cme-bot", "serve"]
