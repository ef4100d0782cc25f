"""What a production operator needs: health and readiness endpoints, Prometheus metrics, one
JSON log line per request and per task with a request id that follows the work into Celery, and
the record of the scheduled jobs' last runs. The top layer under config: it reads every app."""
