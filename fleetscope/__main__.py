"""`python -m fleetscope`."""

from fleetscope.cli import main

main()
