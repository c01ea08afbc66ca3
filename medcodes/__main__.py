"""`python -m medcodes` runs the same command line as the `medcodes` script."""

from medcodes.cli import app

if __name__ == "__main__":  # Dask worker processes re-import the main module; run only once
    app(prog_name="medcodes")
