"""`python -m medcodes` runs the same command line as the `medcodes` script."""

from medcodes.cli import app

app()
