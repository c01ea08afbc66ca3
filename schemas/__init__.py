"""Table schemas: the single source of truth for columns, Arrow types and checks."""
