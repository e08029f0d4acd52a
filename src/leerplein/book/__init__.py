"""Building and checking the Jupyter Book."""
