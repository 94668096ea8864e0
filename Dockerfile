# One image for web, worker and beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# WeasyPrint (the briefing PDF) renders text through Pango; DejaVu is the PDF's font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
COPY pilkada_desk ./pilkada_desk
COPY readiness ./readiness
COPY logistics ./logistics
COPY security ./security
COPY indicators ./indicators
COPY administration ./administration
COPY briefing ./briefing
RUN pip install .

COPY . .
# collectstatic needs settings that pass production validation; these values exist only here.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

RUN useradd --create-home desk
USER desk
EXPOSE 8000
CMD ["gunicorn", "pilkada_desk.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
