# signviz as a container: the app on CPU TensorFlow, the dataset in a volume.
#
#   docker build -t signviz .
#   docker run -p 8501:8501 -v signviz-data:/data signviz
#
# Several replicas behind a sticky proxy: see compose.yaml and the README.
FROM python:3.11-slim

# The download and the preprocessed arrays live in the volume /data, shared by replicas.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SIGNVIZ_CACHE_DIR=/data

WORKDIR /app
# requirements.txt installs tensorflow-cpu: no GPU libraries in the image.
COPY requirements.txt .
RUN pip install -r requirements.txt

RUN useradd --create-home --uid 1000 signviz && mkdir /data && chown signviz /data
COPY .streamlit .streamlit
COPY app.py .
COPY chapters chapters
COPY signviz signviz
COPY deploy/serve.sh deploy/serve.sh
USER signviz
VOLUME /data
EXPOSE 8501

# What a load balancer asks too: Streamlit answers "ok" once the server is up.
HEALTHCHECK --interval=10s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]

CMD ["sh", "deploy/serve.sh"]
