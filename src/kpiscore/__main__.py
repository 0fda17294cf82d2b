"""`python -m kpiscore`: the same command as `kpiscore`."""

from kpiscore.cli import app

app(prog_name="kpiscore")
