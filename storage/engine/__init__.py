"""The database engine layer: engines, pooled connections, plain and prepared statements."""
