"""Deploy a bundle target, run it, monitor the update and apply safe fixes."""
