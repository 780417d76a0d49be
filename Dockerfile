FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml requirements.lock README.md ./
COPY . .
RUN pip install --no-cache-dir -c requirements.lock . \
 && useradd --system --home /app hotelcrm
# collectstatic reads settings only; these build-time values are never used at run time.
RUN DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    SECRET_KEY=build-time-only-value-not-used-at-run-time-000000 \
    FIELD_ENCRYPTION_KEYS=etQTxL1UpxiFfpE2XlaUX2zhFMxSnAygbKVL0UctFYA= ALLOWED_HOSTS=build \
    BLIND_INDEX_KEY=build-time-only-value-not-used-at-run-time-000000 \
    STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput
USER hotelcrm
ENV STATIC_ROOT=/app/staticfiles
EXPOSE 8000
CMD ["gunicorn", "hotelcrm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
