# One image for the api, worker and beat services of docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY reimburse ./reimburse
COPY docker/install-python-deps.sh ./docker/
# one headless OpenCV (no libGL in the slim image): see the script; .ci/image-deps checks it
RUN sh docker/install-python-deps.sh . \
    && useradd --create-home --uid 1000 reimburse \
    && mkdir -p /data && chown reimburse /data
USER reimburse
ENV REIMBURSE_DATA_DIR=/data
EXPOSE 8000
CMD ["reimburse", "serve", "--host", "0.0.0.0", "--no-worker"]
