"""Pipeline code that builds bronze, silver and gold from medallion.yml."""
