"""`python -m app.cli` (how `paraat up` starts the API): the same CLI, output unbuffered."""

import os

from app.cli import app

os.environ.setdefault("PYTHONUNBUFFERED", "1")
app()
