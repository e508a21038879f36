"""A family's workbook: its records, read and written, and what is built from them."""
