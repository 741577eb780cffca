"""`python -m empathy_training` runs the command line."""

from .cli import main

main()
