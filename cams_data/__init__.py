"""The CAMS partnership dashboard's data layer: spreadsheets in, one trustworthy DuckDB out."""
