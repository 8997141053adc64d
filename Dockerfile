# Production image: gunicorn for web; the same image runs the worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 XUNCHA_DATA_DIR=/var/lib/xuncha
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /app xuncha
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings that load; these values exist only at build time.
RUN XUNCHA_ENV=production SECRET_KEY=build-only-$(head -c 60 /dev/urandom | base64 | tr -d '/+=') \
    ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build CELERY_BROKER_URL=redis://build \
    AUDIT_HMAC_KEY=build-only-$(head -c 60 /dev/urandom | base64 | tr -d '/+=') \
    CROSSCHECK_ID_KEY=build-only-$(head -c 60 /dev/urandom | base64 | tr -d '/+=') \
    AUDIT_ANCHOR_FILE=/var/log/xuncha-audit/anchors.log \
    python manage.py collectstatic --noinput \
 && mkdir -p /var/lib/xuncha/media /var/log/xuncha-audit \
 && chown -R xuncha /var/lib/xuncha /var/log/xuncha-audit
USER xuncha
EXPOSE 8000
CMD ["gunicorn", "xuncha.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--timeout", "60", "--access-logfile", "-"]
